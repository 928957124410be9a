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
): ProcessView {
  return { name, pid, state, killedBy, asid: pid, root: 100 + pid, runs };
}

const count = (s: string, needle: string): number => s.split(needle).length - 1;

describe("drawPageTables", () => {
  it("escapes every piece of text it draws, process names included", () => {
    const svg = drawPageTables({
      caption: `after "x" & <y>`,
      processes: [proc("<script>alert(1)</script>", 1, [{ va: 0x10000, pages: 1, flags: RX, frame: 5, ref: 1 }])],
      highlight: null,
    });
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&#60;script&#62;alert(1)&#60;/script&#62; (pid 1)");
    expect(svg).toContain("after &#34;x&#34; &#38; &#60;y&#62;");
  });

  it("colours a frame by its reference count, in the tables and in the memory column", () => {
    const shared = { va: 0x14000, pages: 2, flags: COW, frame: 7, ref: 2 };
    const svg = drawPageTables({
      caption: "after fork",
      processes: [proc("A", 1, [shared]), proc("B", 2, [shared])],
      highlight: null,
    });
    expect(count(svg, `fill="${refColour(2)}"`)).toBe(2 + 1 + 1); // two rows, one frame group, the legend
    expect(svg).toContain(">frames 7\u20138</text>");
    expect(svg).toContain(">ref 2</text>");
    expect(count(svg, ">COW</text>")).toBe(2);
  });

  it("draws connectors from both sides of memory for two processes, none for three", () => {
    const run = { va: 0x10000, pages: 1, flags: RX, frame: 5, ref: 3 };
    const two = drawPageTables({ caption: "", processes: [proc("A", 1, [run]), proc("B", 2, [run])], highlight: null });
    const three = drawPageTables({
      caption: "",
      processes: [proc("A", 1, [run]), proc("B", 2, [run]), proc("C", 3, [run])],
      highlight: null,
    });
    expect(count(two, "<path ")).toBe(2);
    expect(count(three, "<path ")).toBe(0);
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
    expect(svg).toMatch(/<title>frame 42: ref 2, mapped by A<\/title>\n<rect [^>]*stroke="#d62828"/);
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

  it("says a process is gone instead of drawing its table", () => {
    const svg = drawPageTables({ caption: "", processes: [proc("B", 2, [], "killed", "SIGSEGV")], highlight: null });
    expect(svg).toContain("killed by SIGSEGV: no page table left");
    expect(svg).not.toContain("no pages mapped");
  });

  it("is as wide as naturalWidth says, and as wide as asked when that is more", () => {
    const run = { va: 0x10000, pages: 1, flags: RX, frame: 5, ref: 1 };
    for (const n of [1, 2, 3, 4]) {
      const processes = Array.from({ length: n }, (_, i) => proc(`P${i}`, i + 1, [run]));
      const svg = drawPageTables({ caption: "", processes, highlight: null }, { legend: false });
      expect(svg).toContain(`viewBox="0 0 ${naturalWidth(n)} `);
      const wide = drawPageTables({ caption: "", processes, highlight: null }, { legend: false, width: 2000 });
      expect(wide).toContain(`viewBox="0 0 2000 `);
    }
    // without connectors, columns sit closer: four processes take less than twice two
    expect(naturalWidth(4)).toBeLessThan(2 * naturalWidth(2));
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
