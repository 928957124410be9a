// Jest's global teardown: removes the run's shared folder (run-folder.js).
"use strict";
module.exports = require("./run-folder").teardown;
