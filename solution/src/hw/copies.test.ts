import { CopyTracker } from "./copies";

// A tracker of 8 frames and how many copies it has counted.
function tracker(): { t: CopyTracker; counted: () => number } {
  let n = 0;
  const t = new CopyTracker(8, () => n++);
  return { t, counted: () => n };
}

test("copies into one frame from others count once until the frame is renewed", () => {
  const { t, counted } = tracker();
  t.copied(2, 1);
  t.copied(2, 3);
  expect(counted()).toBe(1);
  t.renewed(2);
  t.copied(2, 1);
  expect(counted()).toBe(2);
});

test("a copy within one frame counts nothing", () => {
  const { t, counted } = tracker();
  t.copied(4, 4);
  expect(counted()).toBe(0);
});

test("a word stored into a data frame counts a copy only when a load found it in another data frame", () => {
  const { t, counted } = tracker();
  t.wordWritten(2, 0xabcd); // never loaded: the kernel made it up
  expect(counted()).toBe(0);
  t.wordRead(2, 0x1111);
  t.wordWritten(2, 0x1111); // loaded from the same frame
  expect(counted()).toBe(0);
  t.wordRead(1, 0xabcd);
  t.wordWritten(2, 0xabcd);
  expect(counted()).toBe(1);
});

test("words moving between page-table frames count nothing", () => {
  const { t, counted } = tracker();
  t.holdsPageTable(1, true);
  t.holdsPageTable(2, true);
  t.wordRead(1, 0x2001);
  t.wordWritten(2, 0x2001);
  expect(counted()).toBe(0);
  t.holdsPageTable(2, false); // freed, then allocated for data
  t.wordRead(3, 0x2001);
  t.wordWritten(2, 0x2001);
  expect(counted()).toBe(1);
});
