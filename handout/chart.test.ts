// The handout's charts: scales, labels, and the refusals of data they cannot draw.

import { groupedBarsLog, short, stackedBarsHorizontal } from "./chart";

const spec = {
  title: "Cost <by> size",
  categories: ["1 MiB", "50 MiB"],
  series: [
    { name: "no write", colour: "#777", values: [10135, 166063] },
    { name: "write", colour: "#d80", values: [609696, 30143672] },
  ],
  unit: "cycles",
};

describe("groupedBarsLog", () => {
  it("draws a grid line at every power of ten from a decade below the smallest value to above the largest", () => {
    const svg = groupedBarsLog(spec);
    const labels = [...svg.matchAll(/text-anchor="end">([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(["1k", "10k", "100k", "1M", "10M", "100M"]);
  });

  it("draws one bar per value, each labelled and titled with its exact value", () => {
    const svg = groupedBarsLog(spec);
    expect(
      svg.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#(777|d80)"><title>/g),
    ).toHaveLength(4);
    expect(svg).toContain("<title>50 MiB, write: 30143672 cycles</title>");
    expect(svg).toContain(">30.1M</text>");
  });

  it("draws taller bars for larger values", () => {
    const heights = [...groupedBarsLog(spec).matchAll(/height="([\d.]+)" fill="#(?:777|d80)"/g)].map((m) =>
      Number(m[1]),
    );
    // in drawing order: 1 MiB no write, 1 MiB write, 50 MiB no write, 50 MiB write
    expect(heights[0]!).toBeLessThan(heights[2]!);
    expect(heights[2]!).toBeLessThan(heights[1]!);
    expect(heights[1]!).toBeLessThan(heights[3]!);
  });

  it("escapes its text", () => {
    const svg = groupedBarsLog(spec);
    expect(svg).toContain('aria-label="Cost &lt;by&gt; size"');
    expect(svg).not.toContain("<by>");
  });

  it("refuses values a logarithmic axis cannot show, and series of the wrong length", () => {
    expect(() => groupedBarsLog({ ...spec, series: [{ name: "x", colour: "#000", values: [0, 5] }] })).toThrow(
      'Chart "Cost <by> size": a logarithmic axis needs positive values',
    );
    expect(() => groupedBarsLog({ ...spec, series: [{ name: "x", colour: "#000", values: [5] }] })).toThrow(
      'Chart "Cost <by> size": series "x" has 1 values for 2 categories',
    );
    expect(() => groupedBarsLog({ ...spec, categories: [], series: [] })).toThrow(
      'Chart "Cost <by> size": nothing to draw (no categories or no series)',
    );
  });
});

describe("stackedBarsHorizontal", () => {
  const pages = {
    title: "Pages",
    categories: ["before", "after"],
    series: [
      { name: "private", colour: "#cdebd3", values: [12805, 0] },
      { name: "shared", colour: "#fde3a0", values: [0, 12805] },
    ],
    unit: "pages",
  };

  it("stacks the series of each bar end to end, leaving out empty segments", () => {
    const svg = stackedBarsHorizontal(pages);
    expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="18" fill=/g)).toHaveLength(2);
    expect(svg).toContain("<title>before: 12805 private</title>");
    expect(svg).toContain("<title>after: 12805 shared</title>");
  });

  it("ends its axis at a round number at or above the longest bar", () => {
    const ticks = [...stackedBarsHorizontal(pages).matchAll(/text-anchor="middle">(\d+)<\/text>/g)].map((m) => m[1]);
    expect(ticks).toEqual(["0", "5000", "10000", "15000", "20000"]);
  });

  it("refuses negative values", () => {
    expect(() => stackedBarsHorizontal({ ...pages, series: [{ name: "x", colour: "#000", values: [1, -1] }] })).toThrow(
      'Chart "Pages": stacked bars need values of 0 or more',
    );
  });
});

test("short() writes numbers in a few characters", () => {
  expect([950, 10135, 609696, 6033572, 30143672, 1000].map(short)).toEqual([
    "950",
    "10.1k",
    "610k",
    "6.03M",
    "30.1M",
    "1k",
  ]);
});
