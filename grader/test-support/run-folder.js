// Jest's global setup and teardown for the kit's tests: one folder for the
// whole run, named in OSLAB_TEST_RUN_FOLDER (the workers inherit it), where
// shared-batch.ts keeps the batches several test files read. Removed at the end.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const VARIABLE = "OSLAB_TEST_RUN_FOLDER";

module.exports = async function setup() {
  if (process.env[VARIABLE]) return;
  process.env[VARIABLE] = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-test-run-"));
};

module.exports.teardown = async function teardown() {
  const dir = process.env[VARIABLE];
  if (dir && path.basename(dir).startsWith("oslab-test-run-")) fs.rmSync(dir, { recursive: true, force: true });
};
