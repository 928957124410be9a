// Every example scenario the kit ships runs on the reference kernel with
// every expectation holding and the kernel's state sound at the end.
// seed002-fork-loop-50mib.json is the slowest (20 forks of 50 MiB: about
// 1.5 s alone, several on a busy machine); the whole folder stays within a
// few seconds, so all run here, with a timeout that allows for a busy host.

import fs from "node:fs";
import path from "node:path";
import { loadScenario } from "./parse";
import { runScenario } from "./run";

const DIR = path.join(__dirname, "..", "..", "..", "examples", "scenarios");
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith(".json"));

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
