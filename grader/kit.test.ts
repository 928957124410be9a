import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cacheIntact, prepareKit } from "./kit";
import { FIXTURE_LAB } from "./test-support/fixtures";

const cacheRoot = mkdtempSync(path.join(os.tmpdir(), "oslab-kit-"));
afterAll(() => rmSync(cacheRoot, { recursive: true, force: true }));

test("a compiled kit changed on disk is compiled again before the next batch, not trusted", () => {
  const kit = prepareKit("cow", { labDir: FIXTURE_LAB, cacheRoot });
  const file = path.join(kit.cacheDir, "src", "kernel", "defs.js");
  const good = readFileSync(file, "utf8");
  expect(cacheIntact(kit.cacheDir)).toBe(true);
  chmodSync(file, 0o644);
  writeFileSync(file, good + "\nexports.walk = () => 0; // poisoned\n");
  expect(cacheIntact(kit.cacheDir)).toBe(false);
  const again = prepareKit("cow", { labDir: FIXTURE_LAB, cacheRoot });
  expect(again.cacheDir).toBe(kit.cacheDir);
  expect(readFileSync(file, "utf8")).toBe(good);
  expect(cacheIntact(again.cacheDir)).toBe(true);
});

test("a file added to a compiled kit makes it untrusted too", () => {
  const kit = prepareKit("cow", { labDir: FIXTURE_LAB, cacheRoot });
  writeFileSync(path.join(kit.cacheDir, "src", "extra.js"), "1");
  expect(cacheIntact(kit.cacheDir)).toBe(false);
});
