// The lab's tests: tests/partA-fork.test.ts, partB-cow.test.ts and
// partC-teardown.test.ts. `npm test -- partB` runs one part alone.
// Each test that passes runs once more with your three files in the
// grader's engine (tests/engine/): see tests/engine/setup.ts.
// The tests are compiled without a type check (tsconfig.json's
// isolatedModules), which is faster; tests/support/reporter.js prints the
// results and type-checks your three files meanwhile, in a process of its own.
const fs = require("node:fs");

// Reporters belong to a whole run: this folder's own (`npm test` here) gets
// the lab's; a run started elsewhere that takes this folder as one of its
// projects (the kit's) keeps its own.
const ownRun = fs.realpathSync(process.cwd()) === fs.realpathSync(__dirname);

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "<rootDir>/tests/engine/environment.ts",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  setupFilesAfterEnv: ["<rootDir>/tests/support/setup.ts", "<rootDir>/tests/engine/setup.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }],
  },
  // verbose: false keeps what the tests log for the reporter (verbose Jest prints it at once, a second time)
  // cacheDirectory: Jest's cache and the type check's answer stay in this folder, not in one /tmp
  // folder that every project (and every user) of this machine shares
  ...(ownRun
    ? {
        reporters: ["<rootDir>/tests/support/reporter.js"],
        verbose: false,
        cacheDirectory: "<rootDir>/node_modules/.cache/jest",
      }
    : {}),
};
