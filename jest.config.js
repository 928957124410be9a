// Every test of the kit: the reference machine and kernel (solution/),
// the grader, the reports, the handout and the starter's generation.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: [
    "<rootDir>/solution/src",
    "<rootDir>/cli",
    "<rootDir>/grader",
    "<rootDir>/labs",
    "<rootDir>/handout",
    "<rootDir>/templates",
  ],
  testMatch: ["**/*.test.ts"],
  reporters: ["default", "<rootDir>/.ci/jest-summary.js"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json", diagnostics: false }],
  },
};
