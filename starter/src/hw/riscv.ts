// The RISC-V hardware's names and bit layouts, as the privileged spec
// spells them (Sv32, section "Sv32: Page-Based 32-bit Virtual-Memory
// Systems"). Nothing here knows about processes or policy: that is the
// kernel's business.

export const PGSIZE = 4096; // bytes per page
export const PGSHIFT = 12; // bits of offset within a page

/** Rounds `a` up to a page boundary. */
export function PGROUNDUP(a: number): number {
  return Math.ceil(a / PGSIZE) * PGSIZE;
}

/** Rounds `a` down to a page boundary. */
export function PGROUNDDOWN(a: number): number {
  return Math.floor(a / PGSIZE) * PGSIZE;
}

// Sv32 virtual addresses are 32 bits:
//
//   31          22 21          12 11            0
//  +--------------+--------------+---------------+
//  |    VPN[1]    |    VPN[0]    |  page offset  |
//  +--------------+--------------+---------------+
//       10 bits        10 bits        12 bits
export const MAXVA = 2 ** 32; // one past the highest virtual address
export const LEVELS = 2; // Sv32 walks two levels of page table
export const PTESIZE = 4; // bytes per page-table entry
export const NPTE = PGSIZE / PTESIZE; // 1024 entries per page-table page

/** VPN[level] of a virtual address: the index into that level's table. */
export function PX(level: number, va: number): number {
  return (va >>> (PGSHIFT + 10 * level)) & 0x3ff; // va < 2^32, so >>> is exact
}

// Sv32 page-table entry (32 bits):
//
//   31            20 19         10 9  8 7 6 5 4 3 2 1 0
//  +----------------+-------------+----+-+-+-+-+-+-+-+-+
//  |     PPN[1]     |   PPN[0]    |RSW |D|A|G|U|X|W|R|V|
//  +----------------+-------------+----+-+-+-+-+-+-+-+-+
//        12 bits        10 bits    2 b
export const PTE_V = 1 << 0; // valid
export const PTE_R = 1 << 1; // readable
export const PTE_W = 1 << 2; // writable
export const PTE_X = 1 << 3; // executable
export const PTE_U = 1 << 4; // accessible in U-mode
export const PTE_G = 1 << 5; // global mapping (present in every ASID)
export const PTE_A = 1 << 6; // accessed: set by the MMU on any access
export const PTE_D = 1 << 7; // dirty: set by the MMU on a store
export const PTE_RSW0 = 1 << 8; // reserved for supervisor software
export const PTE_RSW1 = 1 << 9; // reserved for supervisor software
export const PTE_FLAGS_MASK = 0x3ff; // V..D and both RSW bits

/**
 * The RSW bit this machine's fault counters watch as "copy-on-write".
 * The hardware never acts on it; it only uses it to classify a store fault
 * as a COW fault when it counts (see SCENARIOS.md, "Figures").
 */
export const PTE_COW = PTE_RSW0;

/** The PTE's flag bits (V through RSW). */
export function PTE_FLAGS(pte: number): number {
  return pte & PTE_FLAGS_MASK;
}

/** The physical page number held in a PTE (22 bits). */
export function PTE2PPN(pte: number): number {
  return pte >>> 10;
}

/** The physical address of the page a PTE points at. */
export function PTE2PA(pte: number): number {
  return (pte >>> 10) * PGSIZE;
}

/** A PTE's PPN field (no flags) for the page at physical address `pa`. */
export function PA2PTE(pa: number): number {
  return ((pa / PGSIZE) << 10) >>> 0;
}

// satp in Sv32 (32 bits):
//
//   31  30          22 21                     0
//  +----+--------------+-----------------------+
//  |MODE|     ASID     |          PPN          |
//  +----+--------------+-----------------------+
//   1 b      9 bits             22 bits
export const SATP_MODE_BARE = 0;
export const SATP_MODE_SV32 = 1;
export const ASIDLEN = 9; // Sv32's ASID field is 9 bits wide
export const ASIDMAX = (1 << ASIDLEN) - 1; // 511

/** Builds a satp value: MODE=Sv32, the ASID, and the root table's PPN. */
export function MAKE_SATP(pagetable: number, asid: number): number {
  return ((SATP_MODE_SV32 << 31) | ((asid & ASIDMAX) << 22) | (pagetable / PGSIZE)) >>> 0;
}

/** satp.MODE: 1 for Sv32, 0 for Bare (no translation). */
export function SATP_MODE(satp: number): number {
  return satp >>> 31;
}

/** satp.ASID. */
export function SATP_ASID(satp: number): number {
  return (satp >>> 22) & ASIDMAX;
}

/** satp.PPN: the root page table's physical page number. */
export function SATP_PPN(satp: number): number {
  return satp & 0x3fffff;
}

// sstatus bits the MMU consults.
export const SSTATUS_SUM = 1 << 18; // permit Supervisor User Memory access
export const SSTATUS_MXR = 1 << 19; // make executable readable

// scause exception codes (interrupt bit clear).
export const SCAUSE_INSTRUCTION_ACCESS_FAULT = 1;
export const SCAUSE_LOAD_ACCESS_FAULT = 5;
export const SCAUSE_STORE_ACCESS_FAULT = 7;
export const SCAUSE_INSTRUCTION_PAGE_FAULT = 12;
export const SCAUSE_LOAD_PAGE_FAULT = 13;
export const SCAUSE_STORE_PAGE_FAULT = 15;

/** The kind of memory access the hart is making. */
export type Access = "read" | "write" | "execute";

/** The privilege mode the access is made in. */
export type Priv = "U" | "S";
