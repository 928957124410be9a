#!/usr/bin/env node
// The kit's command line (`npm run oslab -- <command>`), started from its
// compiled JavaScript; bin/build.js compiles first when a source changed.
"use strict";
const { ensureBuilt, built } = require("./build");

ensureBuilt();
require(built("cli/oslab")).main();
