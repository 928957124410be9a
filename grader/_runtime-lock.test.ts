import { writeFileSync } from "node:fs";
import path from "node:path";
import { runtimeManifest } from "./_runtime-lock";
import { scratch } from "./test-support/fixtures";

/** A kit folder whose package-lock.json holds `packages` (and the root entry). */
function kitWithLock(packages: Record<string, unknown>): string {
  const dir = scratch("runtime-lock");
  const lock = { name: "oslab", lockfileVersion: 3, requires: true, packages: { "": { name: "oslab" }, ...packages } };
  writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(lock));
  return dir;
}

const pkg = (version: string, more: Record<string, unknown> = {}) => ({
  version,
  integrity: `sha512-${version}`,
  ...more,
});

test("keeps exactly what the named packages need, found the way Node resolves them", () => {
  const kit = kitWithLock({
    "node_modules/a": pkg("1.0.0", { dependencies: { b: "^2" }, optionalDependencies: { fsevents: "*" } }),
    "node_modules/a/node_modules/b": pkg("2.0.0", { dependencies: { c: "^1" } }),
    "node_modules/b": pkg("1.0.0"),
    "node_modules/c": pkg("1.5.0", {
      dev: true,
      peerDependencies: { d: "*", e: "*" },
      peerDependenciesMeta: { e: { optional: true } },
    }),
    "node_modules/d": pkg("3.0.0", { devOptional: true }),
    "node_modules/e": pkg("9.9.9"),
    "node_modules/jest": pkg("30.0.0", { dev: true, dependencies: { b: "^1" } }),
  });
  const m = runtimeManifest(kit, ["a"], { node: ">=20" });
  expect(m.packageJson).toMatchObject({ dependencies: { a: "1.0.0" }, engines: { node: ">=20" }, private: true });
  const packages = m.lock.packages as Record<string, Record<string, unknown>>;
  // the nested b (a's), c through it, d as c's peer; not the top-level b, nor e (an optional peer), nor jest
  expect(Object.keys(packages)).toEqual([
    "",
    "node_modules/a",
    "node_modules/a/node_modules/b",
    "node_modules/c",
    "node_modules/d",
  ]);
  expect(packages[""]).toEqual({
    name: "oslab-autograder",
    version: "0.0.0",
    dependencies: { a: "1.0.0" },
    engines: { node: ">=20" },
  });
  // the kit's dev marks are dropped: npm ci would leave such a package out
  expect(packages["node_modules/c"]).toEqual(
    pkg("1.5.0", { peerDependencies: { d: "*", e: "*" }, peerDependenciesMeta: { e: { optional: true } } }),
  );
  expect(packages["node_modules/d"]).toEqual(pkg("3.0.0"));
});

test("a package the lock lacks is named", () => {
  const kit = kitWithLock({ "node_modules/a": pkg("1.0.0", { dependencies: { gone: "^1" } }) });
  expect(() => runtimeManifest(kit, ["zod"], {})).toThrow(
    `Cannot pin the autograder's packages: "${path.join(kit, "package-lock.json")}" has no "node_modules/zod" (run npm install)`,
  );
  expect(() => runtimeManifest(kit, ["a"], {})).toThrow(`"node_modules/a" needs "gone", which the lock does not hold`);
});
