// A Jest reporter that writes the run's totals to the file named by
// OSLAB_JEST_SUMMARY, so that .ci/run can end with "N passed, N failed".
"use strict";
const fs = require("node:fs");

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.OSLAB_JEST_SUMMARY;
    if (!file) return;
    const summary = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests,
    };
    fs.writeFileSync(file, JSON.stringify(summary) + "\n");
  }
}

module.exports = SummaryReporter;
