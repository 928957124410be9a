// Every test of the kit, as two Jest projects: the kit's own tests (the
// reference machine and kernel, the grader, reports, handout, starter
// generation) and the lab's public tests run against the reference solution.
const ts = ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json", diagnostics: false }];

/** @type {import('jest').Config} */
module.exports = {
  reporters: ["default", "<rootDir>/.ci/jest-summary.js"],
  // two test files at a time even on two cores (Jest's default there is one): most of the kit's
  // tests wait on child processes, and none depends on the machine's speed
  maxWorkers: 2,
  // one folder per run for the batches several test files share (grader/test-support/shared-batch.ts)
  globalSetup: "<rootDir>/grader/test-support/run-folder.js",
  globalTeardown: "<rootDir>/grader/test-support/run-folder-teardown.js",
  projects: [
    {
      displayName: "kit",
      testEnvironment: "node",
      roots: ["<rootDir>/solution/src", "<rootDir>/cli", "<rootDir>/grader", "<rootDir>/labs", "<rootDir>/handout"],
      testMatch: ["**/*.test.ts"],
      transform: { "^.+\\.ts$": ts },
      // the hidden suites (labs/*/tests) import the lab's code as @lab/...; the
      // grader points it at a submission's workspace, the kit at solution/src
      moduleNameMapper: { "^@lab/(.*)$": "<rootDir>/solution/src/$1" },
    },
    "<rootDir>/solution",
  ],
};
