import { PTE_COW, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from "../../solution/src/hw/riscv";
import { parseScenario } from "../../solution/src/scenario/parse";
import { ProcessView, PteRun, buildTimeline } from "../../solution/src/scenario/timeline";
import { drawPageTables, escapeXml, firstFault, naturalWidth, panelOf, refColour, splitAt } from "./draw";

const RX = PTE_V | PTE_R | PTE_X | PTE_U;
const RW = PTE_V | PTE_R | PTE_W | PTE_U;
const COW = PTE_V | PTE_R | PTE_U | PTE_COW;

function proc(
  name: string,
  pid: number,
  runs: PteRun[],
  state = "running",
  killedBy: string | null = null,
  tables: number[] = [],
): ProcessView {
  const live = state === "running";
  return { name, pid, state, killedBy, asid: pid, root: live ? 100 + pid : null, runs, tables };
}

const count = (s: string, needle: string): number => s.split(needle).length - 1;

describe("drawPageTables", () => {
  it("escapes every piece of text it draws, process names included", () => {
    const svg = drawPageTables({
      caption: `after "x" & <y>`,
      processes: [
        proc("<script>alert(1)</script>", 1, [{ va: 0x10000, pages: 1, flags: RX, frame: 5, ref: 1 }]),
        proc("<b>gone</b>", 2, [], "exited"),
      ],
      highlight: null,
    });
    expect(svg).not.toContain("<script>");
    expect(svg).not.toContain("<b>");
    expect(svg).toContain("&#60;script&#62;alert(1)&#60;/scr\u2026 (pid 1)"); // cut to 22 characters
    expect(svg).toContain("&#60;b&#62;gone&#60;/b&#62; (pid 2) exited: no page table left");
    expect(svg).toContain("after &#34;x&#34; &#38; &#60;y&#62;");
  });

  it("colours a frame by its reference count, in the tables and in the frames column", () => {
    const shared = { va: 0x14000, pages: 2, flags: COW, frame: 7, ref: 2 };
    const svg = drawPageTables({
      caption: "after fork",
      processes: [proc("A", 1, [shared]), proc("B", 2, [shared])],
      highlight: null,
    });
    expect(count(svg, `fill="${refColour(2)}"`)).toBe(2 + 1 + 1); // two rows, one frame group, the legend
    expect(svg).toMatch(/<title>frames 7 to 8: 2 references, mapped by A, B<\/title>/);
    expect(svg).toContain(">7\u20138</text>");
    expect(svg).toContain(">ref 2</text>");
    expect(count(svg, ">COW</text>")).toBe(2);
  });

  it("draws each process's page-table pages in the frames column, linked to its header", () => {
    const run = { va: 0x10000, pages: 1, flags: RX, frame: 5, ref: 2 };
    const svg = drawPageTables({
      caption: "",
      processes: [proc("A", 1, [run], "running", null, [101, 102]), proc("B", 2, [run], "running", null, [103])],
      highlight: null,
    });
    expect(svg).toContain(">101\u2013102</text>");
    expect(svg).toContain(">table of A</text>");
    expect(svg).toContain(">table of B</text>");
    expect(svg).toContain("<title>frames 101 to 102: page-table pages of A</title>");
    expect(count(svg, `stroke-dasharray="3 3"`)).toBe(2); // one line from each header
  });

  it("draws leaked frames apart, so that a leaked page-table page shows", () => {
    const run = { va: 0x10000, pages: 1, flags: RX, frame: 5, ref: 1 };
    const panel = { caption: "", processes: [proc("P", 1, [run]), proc("C", 2, [], "exited")], highlight: null };
    const leaky = drawPageTables(
      {
        ...panel,
        leaked: [
          { frame: 40, ref: 1, table: true },
          { frame: 41, ref: 1, table: true },
          { frame: 60, ref: 1, table: false },
        ],
      },
      { legend: false },
    );
    expect(leaky).toContain(">40\u201341</text>");
    expect(leaky).toContain(">leaked table</text>");
    expect(leaky).toContain(">leaked</text>");
    expect(leaky).toContain("<title>frames 40 to 41: a page-table page no process uses any more: leaked</title>");
    // the same step without the leak looks different
    const clean = drawPageTables({ ...panel, leaked: [] }, { legend: false });
    expect(clean).not.toContain("leaked");
    expect(clean).not.toBe(leaky);
  });

  it("marks a frame still mapped with no reference left as free", () => {
    const svg = drawPageTables({
      caption: "",
      processes: [proc("P", 1, [{ va: 0x10000, pages: 1, flags: RX, frame: 5, ref: 0 }])],
      highlight: null,
    });
    expect(svg).toContain(">ref 0: free</text>");
    expect(svg).toContain("frame 5: no reference left, so free, yet still mapped by P: a use after free");
  });

  it("keeps the frames column between two page tables when a third process has exited", () => {
    const run = { va: 0x10000, pages: 1, flags: RX, frame: 5, ref: 2 };
    const svg = drawPageTables({
      caption: "",
      processes: [proc("P", 1, [run]), proc("C", 2, [], "exited"), proc("D", 3, [run])],
      highlight: null,
    });
    const xs = [...svg.matchAll(/<g class="pt-(process|memory)"[^>]*>\n<rect x="(\d+)"/g)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    expect(xs.map((x) => x[0])).toEqual(["process", "process", "memory"]);
    const [p, d, mem] = xs.map((x) => x[1] as number) as [number, number, number];
    expect(p).toBeLessThan(mem);
    expect(mem).toBeLessThan(d);
    expect(count(svg, "<path ")).toBe(2); // both tables linked to the frame
    expect(svg).toContain("C (pid 2) exited: no page table left");
  });

  it("stacks a third table under the second, so that every table is beside the frames column and linked", () => {
    const run = { va: 0x10000, pages: 1, flags: RX, frame: 5, ref: 3 };
    const two = drawPageTables({ caption: "", processes: [proc("A", 1, [run]), proc("B", 2, [run])], highlight: null });
    const three = drawPageTables({
      caption: "",
      processes: [proc("A", 1, [run]), proc("B", 2, [run]), proc("C", 3, [run])],
      highlight: null,
    });
    expect(count(two, "<path ")).toBe(2);
    expect(count(three, "<path ")).toBe(3);
    expect(count(three, ">5</text>")).toBe(1); // the frame's number, in the frames column only
    const at = () => /<g class="pt-process" data-process="(\w)">\n<rect x="(\d+)" y="(\d+)"/g;
    const boxes = [...three.matchAll(at())].map((m) => ({ name: m[1], x: Number(m[2]), y: Number(m[3]) }));
    expect(boxes.map((b) => b.name)).toEqual(["A", "B", "C"]);
    expect(boxes[2]!.x).toBe(boxes[1]!.x); // C under B, right of the frames column
    expect(boxes[1]!.x).toBeGreaterThan(boxes[0]!.x);
    expect(boxes[2]!.y).toBeGreaterThan(boxes[1]!.y);
    expect(naturalWidth([proc("A", 1, [run]), proc("B", 2, [run]), proc("C", 3, [run])])).toBe(
      naturalWidth([proc("A", 1, [run]), proc("B", 2, [run])]),
    );
  });

  it("outlines the faulting page alone, split out of its run, and its frame", () => {
    const svg = drawPageTables({
      caption: "",
      processes: [proc("A", 1, [{ va: 0x20000, pages: 4, flags: COW, frame: 40, ref: 2 }])],
      highlight: { pid: 1, va: 0x22010 },
    });
    expect(count(svg, `class="pt-run pt-fault"`)).toBe(1);
    expect(count(svg, `class="pt-run"`)).toBe(2);
    expect(svg).toContain(
      "0x00022000 to 0x00022fff: 1 page, read, copy-on-write; frame 42, 2 references; the page that faulted",
    );
    expect(svg).toMatch(/<title>frame 42: 2 references, mapped by A<\/title>\n<rect [^>]*stroke="#d62828"/);
  });

  it("outlines nothing in another process than the faulting one", () => {
    const run = { va: 0x20000, pages: 1, flags: RW, frame: 40, ref: 1 };
    const svg = drawPageTables({ caption: "", processes: [proc("A", 1, [run])], highlight: { pid: 2, va: 0x20000 } });
    expect(svg).not.toContain("pt-fault");
  });

  it("cuts a long table short and says how many runs it left out", () => {
    const runs = Array.from({ length: 30 }, (_, i) => ({
      va: 0x10000 + i * 0x2000,
      pages: 1,
      flags: RW,
      frame: i * 2,
      ref: 1,
    }));
    const svg = drawPageTables({ caption: "", processes: [proc("A", 1, runs)], highlight: null }, { maxRows: 10 });
    expect(count(svg, `class="pt-run"`)).toBe(9);
    expect(svg).toContain("... 21 more runs of pages");
    expect(svg).toContain("... 21 more groups");
  });

  it("keeps leaked frames in view when the frames column is cut short", () => {
    const runs = Array.from({ length: 30 }, (_, i) => ({
      va: 0x10000 + i * 0x2000,
      pages: 1,
      flags: RW,
      frame: i * 2,
      ref: 1,
    }));
    const leaked = Array.from({ length: 5 }, (_, i) => ({ frame: 200 + i * 2, ref: 1, table: true }));
    const svg = drawPageTables(
      { caption: "", processes: [proc("A", 1, runs)], highlight: null, leaked },
      { maxRows: 10 },
    );
    expect(count(svg, ">leaked table</text>")).toBe(1);
    expect(svg).toContain("... 4 more leaked");
    expect(svg).toContain("... 23 more groups");
  });

  it("says a process is gone instead of drawing its table", () => {
    const svg = drawPageTables({ caption: "", processes: [proc("B", 2, [], "killed", "SIGSEGV")], highlight: null });
    expect(svg).toContain("B (pid 2) killed by SIGSEGV: no page table left");
    expect(svg).not.toContain("no pages mapped");
    expect(svg).not.toContain('class="pt-process"');
  });

  it("is as wide as naturalWidth says, and as wide as asked when that is more", () => {
    const run = { va: 0x10000, pages: 1, flags: RX, frame: 5, ref: 1 };
    for (const n of [1, 2, 3, 4]) {
      const processes = Array.from({ length: n }, (_, i) => proc(`P${i}`, i + 1, [run]));
      const svg = drawPageTables({ caption: "", processes, highlight: null }, { legend: false });
      expect(svg).toContain(`viewBox="0 0 ${naturalWidth(processes)} `);
      const wide = drawPageTables({ caption: "", processes, highlight: null }, { legend: false, width: 2000 });
      expect(wide).toContain(`viewBox="0 0 2000 `);
    }
    // a process without a page table takes no column
    const gone = proc("G", 9, [], "exited");
    expect(naturalWidth([proc("A", 1, [run]), gone])).toBe(naturalWidth([proc("A", 1, [run])]));
  });

  it("fits two page tables and their frames in half of a 1280-pixel page, as the report shows them side by side", () => {
    const run = { va: 0x10000, pages: 1, flags: RX, frame: 5, ref: 1 };
    expect(naturalWidth([proc("A", 1, [run]), proc("B", 2, [run])])).toBeLessThanOrEqual(590);
  });

  it("draws no text smaller than 11 px", () => {
    const run = { va: 0x10000, pages: 3, flags: COW, frame: 5, ref: 2 };
    const svg = drawPageTables({
      caption: "x",
      processes: [proc("A", 1, [run]), proc("B", 2, [run]), proc("C", 3, [run]), proc("D", 4, [], "exited")],
      highlight: { pid: 1, va: 0x10000 },
      leaked: [{ frame: 9, ref: 1, table: false }],
    });
    const sizes = [...svg.matchAll(/font-size(?:="|: )(\d+(?:\.\d+)?)/g)].map((m) => Number(m[1]));
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(11);
  });

  it("lays its colour key out in rows that fit the picture", () => {
    const one = drawPageTables({ caption: "", processes: [proc("A", 1, [])], highlight: null });
    const width = Number(/viewBox="0 0 (\d+)/.exec(one)![1]);
    const xs = [...one.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="16"/g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(7);
    expect(Math.max(...xs) + 130).toBeLessThanOrEqual(width + 20);
  });

  it("leaves the colour key out when asked", () => {
    expect(drawPageTables({ caption: "", processes: [], highlight: null }, { legend: false })).not.toContain(
      "pt-legend",
    );
  });
});

describe("splitAt", () => {
  const run = { va: 0x10000, pages: 5, flags: RW, frame: 20, ref: 1 };

  it("splits a run into before, the page, and after", () => {
    expect(splitAt([run], 0x12abc)).toEqual([
      { ...run, pages: 2 },
      { ...run, va: 0x12000, frame: 22, pages: 1 },
      { ...run, va: 0x13000, frame: 23, pages: 2 },
    ]);
  });

  it("leaves runs alone when the address is in none of them, or is null", () => {
    expect(splitAt([run], 0x90000)).toEqual([run]);
    expect(splitAt([run], null)).toEqual([run]);
    expect(splitAt([run], 0x10000)).toEqual([
      { ...run, pages: 1 },
      { ...run, va: 0x11000, frame: 21, pages: 4 },
    ]);
  });
});

describe("panelOf", () => {
  const timeline = buildTimeline(
    parseScenario({
      version: 1,
      name: "t",
      steps: [
        { op: "spawn", as: "P", image: "init" },
        { op: "fork", proc: "P", as: "C" },
        { op: "write", proc: "C", addr: "data", bytes: [1] },
      ],
    }),
  );
  const write = timeline.steps[3]!;

  it("outlines the step's first fault", () => {
    expect(firstFault(write)).toEqual({ pid: 2, va: 0x14000, resolution: "cow-copy" });
    expect(panelOf(write, { caption: "x" }).highlight).toEqual({ pid: 2, va: 0x14000 });
    expect(drawPageTables(panelOf(write, { caption: "x" }))).toContain(`class="pt-run pt-fault"`);
  });

  it("takes a given highlight instead, null included", () => {
    expect(panelOf(write, { caption: "x", highlight: null }).highlight).toBeNull();
    expect(panelOf(timeline.steps[2]!, { caption: "x", highlight: { pid: 2, va: 1 } }).highlight).toEqual({
      pid: 2,
      va: 1,
    });
  });
});

describe("escapeXml", () => {
  it("escapes the five characters markup gives a meaning to", () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe("&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;");
  });
});
