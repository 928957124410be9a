// The hidden suites alone, against the reference kernel (solution/src): what
// `npm run mutation` (stryker.config.json) runs against each mutant of the
// three edit points. `npx jest labs` runs the same suites inside the kit's
// own configuration; this one transpiles only, which is faster per mutant.
const path = require("node:path");

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.join(__dirname, "../.."),
  testEnvironment: "node",
  roots: ["<rootDir>/labs/cow/tests"],
  testMatch: ["**/*.hidden.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "ts-jest",
      {
        tsconfig: { target: "ES2022", module: "commonjs", esModuleInterop: true, isolatedModules: true },
        diagnostics: false,
      },
    ],
  },
  moduleNameMapper: { "^@lab/(.*)$": "<rootDir>/solution/src/$1" },
};
