// A stand-in for a grading worker whose submission allocates memory outside
// V8's heap (buffers): told how many MiB, it fills them, says so, and waits.
/* global setInterval, Buffer */
"use strict";
const kept = [];
process.on("message", (m) => {
  for (let i = 0; i < m.mib; i++) kept.push(Buffer.alloc(1024 * 1024, 1));
  process.send({ type: "allocated", mib: kept.length });
});
process.send({ type: "ready" });
setInterval(() => {}, 1000);
