// Which frames the kernel copied into, for the framesCopied counter. A frame
// counts as copied once per life (from being zeroed or junk-filled to the
// next time, which is once per allocation) as soon as bytes from another
// frame are written into it, however the copy is split: a whole-frame copy,
// copies of any length in any number of pieces, or kernel word stores of
// words a kernel load read from another frame. Page-table frames are left
// out of the word rule: a kernel copies PTEs between page tables (fork) and
// that copies no page.

/** Words remembered from kernel loads of data frames (older ones are forgotten first). */
const WORDS_REMEMBERED = 1 << 16;

export class CopyTracker {
  #copied: Uint8Array; // per frame: 1 once counted in this life
  #pageTable: Uint8Array; // per frame: 1 while the allocator says it holds a page table
  #wordsRead = new Map<number, number>(); // word -> the data frame a kernel load last found it in
  #count: () => void;

  /** Tracks `frames` frames; `count` is called once for each frame copied into. */
  constructor(frames: number, count: () => void) {
    this.#copied = new Uint8Array(frames);
    this.#pageTable = new Uint8Array(frames);
    this.#count = count;
  }

  /** Bytes of frame `src` were written into frame `dst`. */
  copied(dst: number, src: number): void {
    if (dst === src || this.#copied[dst] === 1) return;
    this.#copied[dst] = 1;
    this.#count();
  }

  /** Frame `frame` was zeroed or junk-filled: a new life, not copied into yet. */
  renewed(frame: number): void {
    this.#copied[frame] = 0;
  }

  /** Whether frame `frame` holds a page table now (the allocator says so). */
  holdsPageTable(frame: number, yes: boolean): void {
    this.#pageTable[frame] = yes ? 1 : 0;
  }

  /** A kernel load read `word` from frame `frame`. */
  wordRead(frame: number, word: number): void {
    if (this.#pageTable[frame] === 1) return;
    this.#wordsRead.delete(word);
    this.#wordsRead.set(word, frame);
    if (this.#wordsRead.size > WORDS_REMEMBERED) {
      this.#wordsRead.delete(this.#wordsRead.keys().next().value!);
    }
  }

  /** A kernel store wrote `word` into frame `frame`: a copy when the word came from another data frame. */
  wordWritten(frame: number, word: number): void {
    if (this.#pageTable[frame] === 1) return;
    const src = this.#wordsRead.get(word);
    if (src !== undefined) this.copied(frame, src);
  }
}
