// The lab's tests: tests/partA-fork.test.ts, partB-cow.test.ts and
// partC-teardown.test.ts. `npm test -- partB` runs one part alone.
// Each test that passes runs once more with your three files in the
// grader's engine (tests/engine/): see tests/engine/setup.ts.
// The tests are compiled without a type check (tsconfig.json's
// isolatedModules), which is faster: `npm test` adds the reporter
// tests/support/reporter.js, which prints the results and type-checks your
// three files meanwhile, in a process of its own (package.json's "test").
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "<rootDir>/tests/engine/environment.ts",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  setupFilesAfterEnv: ["<rootDir>/tests/support/setup.ts", "<rootDir>/tests/engine/setup.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }],
  },
};
