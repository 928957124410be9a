// A stand-in for a grading worker taken over by a submission (not a
// submission): told what to try by its parent, it tries each thing and
// reports what happened. The sandbox tests assert that every attempt failed.
/* global setInterval */
"use strict";
const fs = require("node:fs");
const net = require("node:net");
const childProcess = require("node:child_process");

function attempt(what) {
  try {
    return { ok: true, value: what() };
  } catch (e) {
    return { ok: false, error: String((e && e.code) || (e && e.message) || e) };
  }
}

function connect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => {
      s.end("intruder was here");
      resolve({ ok: true, value: "connected" });
    });
    s.on("error", (e) => resolve({ ok: false, error: String(e.code || e.message) }));
  });
}

// a process meant to outlive the sandbox: its command line carries the marker
function start(marker, detached) {
  const c = childProcess.spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", marker], {
    detached,
    stdio: "ignore",
  });
  c.unref();
  return c.pid;
}

async function run(job) {
  const out = { pid: process.pid, uid: process.getuid(), env: { ...process.env } };
  out.secret = process.env[job.secretName] ?? null;
  out.writes = job.write.map((file) => attempt(() => fs.writeFileSync(file, "intruder was here")));
  out.reads = job.read.map((file) => attempt(() => fs.readFileSync(file, "utf8").length));
  out.given = attempt(() => fs.readFileSync(job.given, "utf8"));
  out.network = await connect(job.port);
  out.spawn = attempt(() => start(job.marker, false));
  out.detached = attempt(() => start(job.marker, true));
  out.exec = attempt(() => childProcess.execFileSync("/bin/sh", ["-c", `echo ${job.marker}`]).toString());
  return out;
}

process.on("message", (job) => {
  run(job).then((out) => process.send(out));
});
process.send({ ready: true });
setInterval(() => {}, 1000);
