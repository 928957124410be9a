// The cost model: what each thing the machine does costs in simulated
// cycles. The figures are round numbers of the right order for a simple
// in-order RISC-V core with a cache in front of DRAM; they exist so that
// costs can be compared (fork of 1 MiB against fork of 50 MiB, a copy
// against a reuse), not to predict any real chip.
//
//   access     1 cycle per load or store of up to 8 bytes (a TLB hit)
//   walk      20 cycles per page-table entry the MMU reads on a TLB miss
//                (Sv32 reads 2 per 4 KiB page)
//   trap     200 cycles to enter the kernel and return (save and restore
//                the user's registers, sret): every page fault and syscall
//   kernelMem  1 cycle per page-table word the kernel reads or writes
//   frameZero 512 cycles to zero 4096 bytes (512 doubleword stores)
//   frameCopy 1024 cycles to copy 4096 bytes (512 loads and 512 stores)
//   sfence    10 cycles per sfence.vma (the refills it causes are paid as walks)

export const COST = {
  access: 1,
  walk: 20,
  trap: 200,
  kernelMem: 1,
  frameZero: 512,
  frameCopy: 1024,
  sfence: 10,
} as const;

/** Bytes moved by one access in the cost model. */
export const ACCESS_BYTES = 8;
