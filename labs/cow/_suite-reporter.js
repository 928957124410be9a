// A Jest reporter for labs/cow/_workspace.ts: writes every test's project
// (the workspace's id, its displayName), title, status and failure message
// to the JSON file named by its `outputFile` option. Jest's own --json
// output does not say which project a result came from.
"use strict";
const fs = require("node:fs");

class SuiteReporter {
  constructor(_globalConfig, options) {
    this.outputFile = options.outputFile;
    this.results = [];
  }

  onTestResult(test, result) {
    const name = test.context.config.displayName;
    const project = typeof name === "string" ? name : name ? name.name : "";
    if (result.testExecError) {
      this.results.push({
        project,
        file: result.testFilePath,
        title: null,
        status: "error",
        message: result.testExecError.message,
      });
    }
    for (const t of result.testResults) {
      this.results.push({
        project,
        file: result.testFilePath,
        title: t.title,
        status: t.status,
        message: t.failureMessages.join("\n"),
      });
    }
  }

  onRunComplete() {
    fs.writeFileSync(this.outputFile, JSON.stringify(this.results, null, 1) + "\n");
  }
}

module.exports = SuiteReporter;
