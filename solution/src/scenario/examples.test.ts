// Every example scenario the kit ships runs on the reference kernel with
// every expectation holding and the kernel's state sound at the end: the
// kit's seeds (examples/scenarios/, copied into scenarios/seeds/), the
// project's own scenarios/ and scenarios/thresholds/, and the example in
// SCENARIOS.md. seed002-fork-loop-50mib.json is the slowest (20 forks of
// 50 MiB: about 1.5 s alone, several on a busy machine); the whole folder
// stays within a few seconds, so all run here, with a timeout that allows
// for a busy host.

import fs from "node:fs";
import path from "node:path";
import { loadScenario, parseScenario } from "./parse";
import { runScenario } from "./run";

const ROOT = path.join(__dirname, "..", "..");
const DIR = path.join(ROOT, "..", "examples", "scenarios");
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith(".json"));
const OWN = ["scenarios", "scenarios/thresholds"].flatMap((dir) =>
  fs
    .readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith(".json"))
    .map((f) => `${dir}/${f}`),
);

test("the examples folder has scenarios", () => {
  expect(FILES.length).toBeGreaterThan(0);
});

test.each(FILES)(
  "examples/scenarios/%s runs with ok true and an empty audit",
  (file) => {
    const result = runScenario(loadScenario(path.join(DIR, file)));
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.audit).toEqual([]);
  },
  30_000,
);

test.each(OWN)("%s runs with ok true and an empty audit", (file) => {
  const result = runScenario(loadScenario(path.join(ROOT, file)));
  expect(result.failures).toEqual([]);
  expect(result.audit).toEqual([]);
});

test("the example in SCENARIOS.md runs with every expectation held", () => {
  const text = fs.readFileSync(path.join(ROOT, "SCENARIOS.md"), "utf8");
  const json = /## An example\n\n```json\n([\s\S]*?)```/.exec(text)![1]!;
  const result = runScenario(parseScenario(JSON.parse(json)));
  expect(result.failures).toEqual([]);
  expect(result.counters.cowReuses).toBe(1);
});
