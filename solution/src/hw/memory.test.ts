import { JUNK, MemoryObserver, PhysicalAccessError, PhysicalMemory } from "./memory";
import { PGSIZE } from "./riscv";

// A memory whose observer counts what it is told.
function counted(frames: number): { memory: PhysicalMemory; seen: { copied: number; zeroed: number } } {
  const seen = { copied: 0, zeroed: 0 };
  const observer: MemoryObserver = {
    frameCopied: () => void seen.copied++,
    frameZeroed: () => void seen.zeroed++,
  };
  return { memory: new PhysicalMemory(frames, observer), seen };
}

// 4096 bytes in which neighbouring bytes and neighbouring 256-byte runs differ.
function pattern(seed: number): Uint8Array {
  const bytes = new Uint8Array(PGSIZE);
  for (let i = 0; i < PGSIZE; i++) bytes[i] = (i + (i >> 8) * 7 + seed) & 0xff;
  return bytes;
}

// The error `fn` throws; fails the test when it throws nothing.
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error) return e;
    throw new Error(`threw a non-Error: ${String(e)}`);
  }
  throw new Error("expected an exception, but none was thrown");
}

function allBytes(bytes: Uint8Array, value: number): boolean {
  return bytes.every((b) => b === value);
}

describe("PhysicalMemory: storage", () => {
  test("bytes written are the bytes read back", () => {
    const { memory } = counted(4);
    memory.write(0x1ff0, new Uint8Array([1, 2, 3, 250]));
    expect([...memory.read(0x1ff0, 4)]).toEqual([1, 2, 3, 250]);
    expect([...memory.read(0x1fef, 1)]).toEqual([0]);
  });

  test("write32 stores a little-endian word that read() sees byte by byte", () => {
    const { memory } = counted(4);
    memory.write32(0x2004, 0x11223344);
    expect([...memory.read(0x2004, 4)]).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(memory.read32(0x2004)).toBe(0x11223344);
  });

  test("read32 returns words above 2^31 as unsigned numbers", () => {
    const { memory } = counted(1);
    memory.write32(0, 0xfffffc01);
    expect(memory.read32(0)).toBe(0xfffffc01);
  });

  test("read() returns a copy: changing it leaves memory alone", () => {
    const { memory } = counted(1);
    memory.write(0, new Uint8Array([9]));
    const bytes = memory.read(0, 1);
    bytes[0] = 42;
    expect(memory.read(0, 1)[0]).toBe(9);
  });

  test("frames in different slabs keep their own contents", () => {
    const { memory } = counted(200);
    for (let f = 0; f < 200; f++) memory.write32(f * PGSIZE + 8, f * 3 + 1);
    for (let f = 0; f < 200; f++) expect(memory.read32(f * PGSIZE + 8)).toBe(f * 3 + 1);
    expect(memory.backedFrames).toBe(200);
  });

  test("fill() stores a byte value over part of a frame", () => {
    const { memory } = counted(2);
    memory.fill(0x1010, 0xa5, 16);
    expect([...memory.read(0x100f, 18)]).toEqual([0, ...new Array<number>(16).fill(0xa5), 0]);
  });

  test("the last byte of memory can be read and written", () => {
    const { memory } = counted(3);
    memory.write(3 * PGSIZE - 1, new Uint8Array([77]));
    expect(memory.read(3 * PGSIZE - 1, 1)[0]).toBe(77);
  });

  test("contains() is true exactly for 0 .. frames*4096-1", () => {
    const { memory } = counted(2);
    expect(memory.contains(0)).toBe(true);
    expect(memory.contains(2 * PGSIZE - 1)).toBe(true);
    expect(memory.contains(2 * PGSIZE)).toBe(false);
    expect(memory.contains(-1)).toBe(false);
    expect(memory.size).toBe(2 * PGSIZE);
  });
});

describe("PhysicalMemory: host cost", () => {
  test("a 262144-frame (1 GiB) machine backs no frame until one is written, and reads it as zeros", () => {
    const { memory } = counted(262144);
    expect(memory.backedFrames).toBe(0);
    expect(memory.read32(262143 * PGSIZE)).toBe(0);
    expect(allBytes(memory.read(5 * PGSIZE, PGSIZE), 0)).toBe(true);
    expect(memory.backedFrames).toBe(0);
    memory.write32(100 * PGSIZE, 1);
    expect(memory.backedFrames).toBe(1);
    memory.write32(100 * PGSIZE + 4, 2);
    expect(memory.backedFrames).toBe(1);
    memory.write(262143 * PGSIZE, new Uint8Array([1]));
    expect(memory.backedFrames).toBe(2);
  });

  test("zeroFrame releases the frame's host slot, the frame then reads all 0x00, and the observer counts it", () => {
    const { memory, seen } = counted(4);
    memory.write(PGSIZE, pattern(1));
    expect(memory.backedFrames).toBe(1);
    memory.zeroFrame(PGSIZE + 123); // any address inside the frame names it
    expect(memory.backedFrames).toBe(0);
    expect(allBytes(memory.read(PGSIZE, PGSIZE), 0)).toBe(true);
    expect(memory.read32(PGSIZE + 4092)).toBe(0);
    expect(seen).toEqual({ copied: 0, zeroed: 1 });
  });

  test("junkFrame releases the frame's host slot, the frame then reads all 0x6b, and nothing is counted", () => {
    const { memory, seen } = counted(4);
    memory.write(2 * PGSIZE, pattern(2));
    memory.junkFrame(2 * PGSIZE);
    expect(JUNK).toBe(0x6b);
    expect(memory.backedFrames).toBe(0);
    expect(allBytes(memory.read(2 * PGSIZE, PGSIZE), JUNK)).toBe(true);
    expect(memory.read32(2 * PGSIZE)).toBe(0x6b6b6b6b);
    expect(seen).toEqual({ copied: 0, zeroed: 0 });
  });

  test("a write into a junk frame keeps the junk in every byte it does not touch", () => {
    const { memory } = counted(1);
    memory.junkFrame(0);
    memory.write(10, new Uint8Array([1, 2]));
    const bytes = memory.read(0, PGSIZE);
    expect([...bytes.subarray(8, 14)]).toEqual([JUNK, JUNK, 1, 2, JUNK, JUNK]);
    expect(bytes.filter((b) => b === JUNK).length).toBe(PGSIZE - 2);
  });

  test("a released slot is reused: a frame written after a zeroed one starts from zeros, not the old bytes", () => {
    const { memory } = counted(4);
    memory.write(0, pattern(3));
    memory.zeroFrame(0);
    memory.write32(PGSIZE * 3, 0xdeadbeef);
    expect(memory.backedFrames).toBe(1);
    const bytes = memory.read(PGSIZE * 3, PGSIZE);
    expect([...bytes.subarray(0, 4)]).toEqual([0xef, 0xbe, 0xad, 0xde]);
    expect(allBytes(bytes.subarray(4), 0)).toBe(true);
  });

  test("fill() of a whole frame with 0 or JUNK releases its slot, with any other value keeps it", () => {
    const { memory, seen } = counted(3);
    memory.write(0, pattern(4));
    memory.write(PGSIZE, pattern(5));
    memory.fill(0, 0, PGSIZE);
    memory.fill(PGSIZE, JUNK, PGSIZE);
    expect(memory.backedFrames).toBe(0);
    expect(allBytes(memory.read(0, PGSIZE), 0)).toBe(true);
    expect(allBytes(memory.read(PGSIZE, PGSIZE), JUNK)).toBe(true);
    memory.fill(2 * PGSIZE, 1, PGSIZE);
    expect(memory.backedFrames).toBe(1);
    expect(allBytes(memory.read(2 * PGSIZE, PGSIZE), 1)).toBe(true);
    expect(seen.zeroed).toBe(0); // a memset is not a kernel zeroing
  });
});

describe("PhysicalMemory: copyFrame", () => {
  test("copyFrame copies every byte of the source over the destination and counts one copy", () => {
    const { memory, seen } = counted(4);
    const src = pattern(6);
    memory.write(PGSIZE, src);
    memory.write(3 * PGSIZE, pattern(99));
    memory.copyFrame(3 * PGSIZE, PGSIZE);
    expect(memory.read(3 * PGSIZE, PGSIZE)).toEqual(src);
    expect(memory.read(PGSIZE, PGSIZE)).toEqual(src);
    expect(seen).toEqual({ copied: 1, zeroed: 0 });
  });

  test("after copyFrame the two frames are independent", () => {
    const { memory } = counted(2);
    memory.write(0, pattern(7));
    memory.copyFrame(PGSIZE, 0);
    memory.write(PGSIZE, new Uint8Array([0xee]));
    expect(memory.read(0, 1)[0]).toBe(pattern(7)[0]);
    expect(memory.read(PGSIZE, 1)[0]).toBe(0xee);
  });

  test("copying an unbacked junk frame makes the destination junk and releases its slot", () => {
    const { memory, seen } = counted(3);
    memory.junkFrame(0);
    memory.write(2 * PGSIZE, pattern(8));
    memory.copyFrame(2 * PGSIZE, 0);
    expect(memory.backedFrames).toBe(0);
    expect(allBytes(memory.read(2 * PGSIZE, PGSIZE), JUNK)).toBe(true);
    expect(seen.copied).toBe(1);
  });

  test("copying a frame onto itself keeps its bytes and still counts a copy", () => {
    const { memory, seen } = counted(1);
    memory.write(0, pattern(9));
    memory.copyFrame(0, 0);
    expect(memory.read(0, PGSIZE)).toEqual(pattern(9));
    expect(seen.copied).toBe(1);
  });
});

describe("PhysicalMemory: errors", () => {
  test("every access one past the end throws PhysicalAccessError naming the address and the end", () => {
    const { memory } = counted(4);
    const message = "Physical address 0x4000 is outside physical memory (4 frames end at 0x4000)";
    const attempts: (() => unknown)[] = [
      () => memory.read32(0x4000),
      () => memory.write32(0x4000, 0),
      () => memory.read(0x4000, 1),
      () => memory.write(0x4000, new Uint8Array(1)),
      () => memory.fill(0x4000, 0, 1),
      () => memory.zeroFrame(0x4000),
      () => memory.junkFrame(0x4000),
    ];
    for (const attempt of attempts) {
      const e = thrown(attempt);
      expect(e).toBeInstanceOf(PhysicalAccessError);
      expect(e.name).toBe("PhysicalAccessError");
      expect(e.message).toBe(message);
    }
  });

  test("an address taken from a PTE of a freed frame (all junk) says the page table was read after it was freed", () => {
    const { memory } = counted(4);
    memory.junkFrame(0x1000);
    const pte = memory.read32(0x1000);
    const pa = Math.floor(pte / 1024) * PGSIZE; // PTE2PA
    expect(thrown(() => memory.read32(pa + 8)).message).toBe(
      "Physical address 0x1adada008 is outside physical memory (4 frames end at 0x4000): it comes from a PTE " +
        "that holds 0x6b6b6b6b, the junk a freed frame is filled with: was this page table freed before it was read?",
    );
    expect(thrown(() => memory.read32(0x5000)).message).not.toContain("junk");
  });

  test("a negative physical address throws PhysicalAccessError", () => {
    const { memory } = counted(1);
    expect(thrown(() => memory.read32(-4))).toBeInstanceOf(PhysicalAccessError);
  });

  test("copyFrame with either frame outside memory throws before counting anything", () => {
    const { memory, seen } = counted(2);
    expect(thrown(() => memory.copyFrame(0x2000, 0)).message).toBe(
      "Physical address 0x2000 is outside physical memory (2 frames end at 0x2000)",
    );
    expect(thrown(() => memory.copyFrame(0, 0x5000)).message).toBe(
      "Physical address 0x5000 is outside physical memory (2 frames end at 0x2000)",
    );
    expect(seen.copied).toBe(0);
  });

  test("an access that crosses a frame boundary throws a RangeError and changes nothing", () => {
    const { memory } = counted(2);
    const message = "Physical access of 4 bytes at 0xffe crosses a frame boundary";
    for (const attempt of [
      () => memory.read(0xffe, 4),
      () => memory.write(0xffe, new Uint8Array([1, 2, 3, 4])),
      () => memory.fill(0xffe, 1, 4),
    ]) {
      const e = thrown(attempt);
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toBe(message);
    }
    expect(thrown(() => memory.fill(1, 0, PGSIZE)).message).toBe(
      "Physical access of 4096 bytes at 0x1 crosses a frame boundary",
    );
    expect(memory.backedFrames).toBe(0);
    expect(memory.read32(0xffc)).toBe(0);
  });

  test("a memory of 0 frames, more than 2^22 frames or a fraction of a frame cannot be built", () => {
    const observer: MemoryObserver = { frameCopied() {}, frameZeroed() {} };
    for (const [frames, shown] of [
      [0, "0"],
      [2 ** 22 + 1, "4194305"],
      [1.5, "1.5"],
    ] as const) {
      const e = thrown(() => new PhysicalMemory(frames, observer));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toBe(`Cannot build physical memory of ${shown} frames: Sv32 allows 1 to 4194304`);
    }
    expect(new PhysicalMemory(2 ** 22, observer).size).toBe(2 ** 34);
  });
});
