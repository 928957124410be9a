// Intake: which files of a submission are taken, however it is handed in.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, linkSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import yazl from "yazl";
import { ArchiveLimits } from "./_archive";
import { SubmissionMember } from "./model";
import { archiveKind, idOf, readSubmission } from "./intake";
import { makeTar, makeTarGz, makeZip } from "./test-support/archives";
import { STUDENT_FILES, scratch, writeFiles } from "./test-support/fixtures";

const work = scratch("intake");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const three = (prefix: string, skip: readonly string[] = []): Record<string, string> =>
  Object.fromEntries(
    STUDENT_FILES.filter((f) => !skip.includes(f)).map((f) => [`${prefix}${f}`, `// ${prefix}${f}\n`]),
  );

test("an archive's id is its name without .zip, .tar.gz or .tgz", () => {
  expect(["alice.zip", "bob.tar.gz", "carol.TGZ", "dave"].map(idOf)).toEqual(["alice", "bob", "carol", "dave"]);
});

test("each student file is taken from the entry ending with most of its path, the others are ignored", async () => {
  const dir = writeFiles(path.join(work, "many"), {
    ...three("project/"),
    "old/cow.ts": "// old",
    "project/tests/partA.test.ts": "// the student's own tests are never used",
  });
  const intake = await readSubmission({ id: "many", path: dir, kind: "folder" }, STUDENT_FILES);
  expect(intake.files.map((f) => [f.path, f.foundAt])).toEqual(STUDENT_FILES.map((f) => [f, `project/${f}`]));
  expect(intake.notes).toEqual([
    'Found 2 files named cow.ts: graded "project/src/kernel/cow.ts", ignored "old/cow.ts".',
  ]);
});

test("a zip with a top-level folder and a .tar.gz give the same files", async () => {
  const zip = new yazl.ZipFile();
  for (const f of STUDENT_FILES) zip.addBuffer(Buffer.from(`// ${f}\n`), `lab/${f}`);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path.join(work, "z.zip")));
  writeFiles(path.join(work, "t", "lab"), three(""));
  await tar.c({ gzip: true, file: path.join(work, "t.tar.gz"), cwd: path.join(work, "t") }, ["lab"]);
  const z = await readSubmission({ id: "z", path: path.join(work, "z.zip"), kind: "zip" }, STUDENT_FILES);
  const t = await readSubmission({ id: "t", path: path.join(work, "t.tar.gz"), kind: "tar.gz" }, STUDENT_FILES);
  expect(z.files.map((f) => f.text)).toEqual(STUDENT_FILES.map((f) => `// ${f}\n`));
  expect(t.files).toEqual(z.files);
  expect(z.missing).toEqual([]);
});

test("a damaged archive gives a result that names it", async () => {
  writeFileSync(path.join(work, "bad.zip"), "this is not a zip");
  const intake = await readSubmission({ id: "bad", path: path.join(work, "bad.zip"), kind: "zip" }, STUDENT_FILES);
  expect(intake.error).toMatch(/^Cannot read submission "bad\.zip": it is not a readable zip file \(/);
  expect(intake.missing).toEqual(STUDENT_FILES);
});

test("a student file that is not UTF-8 text is reported and counts as missing", async () => {
  const dir = writeFiles(path.join(work, "latin1"), three(""));
  writeFileSync(path.join(dir, "src/kernel/cow.ts"), Buffer.from([0x2f, 0x2f, 0x20, 0xe9, 0x0a]));
  const intake = await readSubmission({ id: "latin1", path: dir, kind: "folder" }, STUDENT_FILES);
  expect(intake.missing).toEqual(["src/kernel/cow.ts"]);
  expect(intake.notes).toEqual([
    '"src/kernel/cow.ts" is not UTF-8 text, so it could not be graded; save it as UTF-8 and submit again.',
  ]);
});

// --- untrusted archives and folders -------------------------------------------

const SMALL: ArchiveLimits = { archiveBytes: 256 * 1024, unpackedBytes: 512 * 1024, fileBytes: 64 * 1024, entries: 50 };

async function readArchive(name: string, bytes: Buffer, limits: ArchiveLimits = SMALL) {
  const file = path.join(work, name);
  writeFileSync(file, bytes);
  return readSubmission({ id: idOf(name), path: file, kind: archiveKind(name)! }, STUDENT_FILES, limits);
}

const studentEntries = (prefix: string, skip: readonly string[] = []) =>
  STUDENT_FILES.filter((f) => !skip.includes(f)).map((f) => ({ name: `${prefix}${f}`, data: `// ${f}\n` }));

test("zip entries that climb out, are absolute or name a drive are refused and named; the other files are read", async () => {
  const intake = await readArchive(
    "climb.zip",
    makeZip([
      { name: "../../etc/x", data: "escaped" },
      ...studentEntries("lab/"),
      { name: "/etc/passwd", data: "root" },
      { name: "C:\\Windows\\evil.ts", data: "x" },
      { name: "lab\\..\\..\\cow.ts", data: "x" },
    ]),
  );
  expect(intake.error).toBeUndefined();
  expect(intake.files.map((f) => f.foundAt)).toEqual(STUDENT_FILES.map((f) => `lab/${f}`));
  expect(intake.notes).toEqual([
    'Cannot read submission "climb.zip": entry "../../etc/x" leaves the archive',
    'Cannot read submission "climb.zip": entry "/etc/passwd" leaves the archive',
    'Cannot read submission "climb.zip": entry "C:\\Windows\\evil.ts" leaves the archive',
    'Cannot read submission "climb.zip": entry "lab\\..\\..\\cow.ts" leaves the archive',
  ]);
});

test("tar links and devices are refused, never followed: a student file that is one counts as missing", async () => {
  const intake = await readArchive(
    "links.tar.gz",
    makeTarGz([
      { name: "lab/src/kernel/uvmcopy.ts", data: "// mine\n" },
      { name: "lab/src/kernel/cow.ts", type: "symlink", linkname: "/etc/passwd" },
      { name: "lab/src/kernel/uvmfree.ts", type: "hardlink", linkname: "/etc/shadow" },
      { name: "lab/null", type: "chardev" },
      { name: "lab/disk", type: "blockdev" },
      { name: "lab/pipe", type: "fifo" },
      { name: "../outside.ts", data: "x" },
    ]),
  );
  expect(intake.files.map((f) => f.path)).toEqual(["src/kernel/uvmcopy.ts"]);
  expect(intake.missing).toEqual(["src/kernel/cow.ts", "src/kernel/uvmfree.ts"]);
  const at = 'Cannot read submission "links.tar.gz": entry';
  expect(intake.notes).toEqual([
    `${at} "lab/src/kernel/cow.ts" is a symbolic link (to "/etc/passwd"); links are not followed`,
    `${at} "lab/src/kernel/uvmfree.ts" is a hard link (to "/etc/shadow"); links are not followed`,
    `${at} "lab/null" is a character device; only plain files are read`,
    `${at} "lab/disk" is a block device; only plain files are read`,
    `${at} "lab/pipe" is a named pipe; only plain files are read`,
    `${at} "../outside.ts" leaves the archive`,
  ]);
});

test("a zip entry made on Unix as a symbolic link is refused", async () => {
  const intake = await readArchive(
    "zlink.zip",
    makeZip([
      ...studentEntries("", ["src/kernel/cow.ts"]),
      { name: "src/kernel/cow.ts", data: "/etc/passwd", unixMode: 0o120777 },
    ]),
  );
  expect(intake.missing).toEqual(["src/kernel/cow.ts"]);
  expect(intake.notes).toEqual([
    'Cannot read submission "zlink.zip": entry "src/kernel/cow.ts" is a symbolic link; links are not followed',
  ]);
});

test("a zip bomb is refused by its declared size, and a header that lies is caught while it unpacks", async () => {
  const bomb = Buffer.alloc(4 << 20, 0x20);
  const declared = await readArchive(
    "bomb.zip",
    makeZip([...studentEntries("", ["src/kernel/cow.ts"]), { name: "src/kernel/cow.ts", data: bomb }]),
  );
  const lying = await readArchive(
    "liar.zip",
    makeZip([
      ...studentEntries("", ["src/kernel/cow.ts"]),
      { name: "src/kernel/cow.ts", data: bomb, declaredSize: 10 },
    ]),
  );
  for (const [intake, name] of [
    [declared, "bomb.zip"],
    [lying, "liar.zip"],
  ] as const) {
    expect(intake.missing).toEqual(["src/kernel/cow.ts"]);
    expect(intake.notes).toEqual([
      `Cannot read submission "${name}": entry "src/kernel/cow.ts" unpacks to more than 64 KiB, the most a student file may have`,
    ]);
  }
});

test("an archive too big, one that unpacks to too much, and one with too many entries are refused whole", async () => {
  const big = await readArchive(
    "big.zip",
    makeZip([{ name: "x.bin", data: randomBytes(300 * 1024), method: "store" }]),
  );
  expect(big.error).toBe(
    'Cannot read submission "big.zip": it is 300.1 KiB, more than the 256 KiB a submission may be',
  );
  const gz = await readArchive("gz.tar.gz", makeTarGz([{ name: "zeros.bin", data: Buffer.alloc(2 << 20) }]));
  expect(gz.error).toBe(
    'Cannot read submission "gz.tar.gz": it unpacks to more than 512 KiB in all, the most a submission may',
  );
  const many = Array.from({ length: 51 }, (_, i) => ({ name: `f${i}.txt`, data: "" }));
  const zip = await readArchive("many.zip", makeZip(many));
  const tgz = await readArchive("many.tar.gz", makeTarGz(many));
  for (const [r, n] of [
    [zip, "many.zip"],
    [tgz, "many.tar.gz"],
  ] as const)
    expect(r.error).toBe(`Cannot read submission "${n}": it holds more than 50 entries, the most a submission may`);
});

test("damaged, truncated, empty and mislabelled archives each get a sentence saying what is wrong", async () => {
  const good = makeZip(studentEntries("lab/"));
  const cut = await readArchive("cut.zip", good.subarray(0, good.length - 30));
  expect(cut.error).toMatch(/^Cannot read submission "cut\.zip": it is not a readable zip file \(.+\)$/);
  const tgz = makeTarGz(studentEntries("lab/"));
  const half = await readArchive("half.tar.gz", tgz.subarray(0, tgz.length >> 1));
  expect(half.error).toMatch(/^Cannot read submission "half\.tar\.gz": it is not a readable \.tar\.gz file \(.+\)$/);
  const plain = await readArchive("plain.tar.gz", makeTar(studentEntries("lab/")));
  expect(plain.error).toMatch(
    /^Cannot read submission "plain\.tar\.gz": it is not a readable \.tar\.gz file \(not gzip-compressed: .+\)$/,
  );
  expect((await readArchive("empty.zip", makeZip([]))).error).toBe(
    'Cannot read submission "empty.zip": the archive is empty',
  );
  expect((await readArchive("empty.tar.gz", makeTarGz([]))).error).toBe(
    'Cannot read submission "empty.tar.gz": the archive is empty',
  );
  const dir = path.join(work, "nothing");
  mkdirSync(dir);
  expect((await readSubmission({ id: "nothing", path: dir, kind: "folder" }, STUDENT_FILES)).error).toBe(
    'Cannot read submission "nothing": the folder is empty',
  );
});

test("names that are not UTF-8 are refused and shown byte by byte; with no student file left, nothing is graded", async () => {
  const bad = (f: string) => Buffer.concat([Buffer.from("lab-"), Buffer.from([0xe9, 0xff]), Buffer.from(`/${f}`)]);
  const intake = await readArchive("latin.zip", makeZip(STUDENT_FILES.map((f) => ({ name: bad(f), data: "//\n" }))));
  expect(intake.error).toBe(
    'Cannot read submission "latin.zip": none of the lab\'s files (uvmcopy.ts, cow.ts, uvmfree.ts) could be read (see the messages below)',
  );
  expect(intake.notes.slice(1)).toEqual(
    STUDENT_FILES.map(
      (f) => `Cannot read submission "latin.zip": entry "lab-\\xE9\\xFF/${f}" has a name that is not UTF-8 text`,
    ),
  );
  const dir = writeFiles(path.join(work, "latin-dir"), three(""));
  writeFileSync(Buffer.from(path.join(dir, "src/kernel/notes-\xff.txt"), "latin1"), "x");
  const folder = await readSubmission({ id: "latin-dir", path: dir, kind: "folder" }, STUDENT_FILES);
  expect(folder.files).toHaveLength(3);
  expect(folder.notes).toEqual([
    'Cannot read submission "latin-dir": file "src/kernel/notes-\\xFF.txt" has a name that is not UTF-8 text',
  ]);
});

test("a submission with none of the lab's files says which files it holds", async () => {
  const dir = writeFiles(path.join(work, "unrelated"), { "README.md": "# my lab", "notes.txt": "todo", "a/b.ts": "" });
  const intake = await readSubmission({ id: "unrelated", path: dir, kind: "folder" }, STUDENT_FILES);
  expect(intake.error).toBe(
    'Cannot read submission "unrelated": it holds none of the lab\'s files (uvmcopy.ts, cow.ts, uvmfree.ts), only "README.md", "a/b.ts", "notes.txt"',
  );
  expect(intake.missing).toEqual(STUDENT_FILES);
});

test("in a folder, symbolic links, hard links and named pipes are refused, never opened", async () => {
  const dir = writeFiles(path.join(work, "linky"), three("", ["src/kernel/cow.ts", "src/kernel/uvmfree.ts"]));
  symlinkSync("/etc/passwd", path.join(dir, "src/kernel/cow.ts"));
  writeFileSync(path.join(work, "shadow"), "secret");
  linkSync(path.join(work, "shadow"), path.join(dir, "src/kernel/uvmfree.ts"));
  execFileSync("mkfifo", [path.join(dir, "src/kernel/pipe")]);
  const intake = await readSubmission({ id: "linky", path: dir, kind: "folder" }, STUDENT_FILES);
  expect(intake.files.map((f) => f.path)).toEqual(["src/kernel/uvmcopy.ts"]);
  expect([...intake.notes].sort()).toEqual([
    'Cannot read submission "linky": file "src/kernel/cow.ts" is a symbolic link (to "/etc/passwd"); links are not followed',
    'Cannot read submission "linky": file "src/kernel/pipe" is a named pipe; only plain files are read',
    'Cannot read submission "linky": file "src/kernel/uvmfree.ts" is a hard link (one of 2 names of a file); links are not followed',
  ]);
});

test("an archive cut off at any byte gets an answer: no hang, no stray error", async () => {
  // stream.pipeline once reported a truncated .tar.gz as read, and gunzip's
  // "unexpected end of file" came after with no listener: the read never settled
  for (const [ext, whole] of [
    ["tar.gz", makeTarGz(studentEntries("lab/"))],
    ["zip", makeZip(studentEntries("lab/"))],
  ] as const) {
    for (let cut = 1; cut < whole.length; cut++) {
      const answer = await Promise.race([
        readArchive(`cut${cut}.${ext}`, whole.subarray(0, cut)),
        new Promise<"no answer">((resolve) => setTimeout(() => resolve("no answer"), 2000)),
      ]);
      if (answer === "no answer") throw new Error(`a ${ext} cut to ${cut} of ${whole.length} bytes got no answer`);
      expect(answer.error ?? "").toMatch(/^(Cannot read submission|$)/);
    }
  }
}, 60_000);

// --- archives inside, parts of a class, folders never read -------------------

test("a zip too big only because of node_modules/ is read without unpacking it, with a warning", async () => {
  const intake = await readArchive(
    "heavy.zip",
    makeZip([
      ...studentEntries("lab/"),
      { name: "lab/node_modules/typescript/lib.js", data: randomBytes(400 * 1024), method: "store" },
      // never read: a bomb where the grader never looks is only its compressed bytes
      { name: "lab/node_modules/.bin/bomb", data: Buffer.alloc(8 << 20), declaredSize: 10 },
    ]),
  );
  expect(intake.error).toBeUndefined();
  expect(intake.files.map((f) => f.foundAt)).toEqual(STUDENT_FILES.map((f) => `lab/${f}`));
  expect(intake.notes).toEqual([
    '"heavy.zip" is 408.7 KiB, more than the 256 KiB a submission may be, because of node_modules/ (408 KiB), ' +
      "which the grader never reads: only your files were read from it. Leave node_modules/ out of your submission.",
  ]);
});

test("the limits still hold beside node_modules/: too much elsewhere, too big in all, too many entries in all", async () => {
  const outside = await readArchive(
    "both.zip",
    makeZip([
      { name: "lab/node_modules/x.bin", data: randomBytes(100 * 1024), method: "store" },
      { name: "lab/video.mp4", data: randomBytes(300 * 1024), method: "store" },
    ]),
  );
  expect(outside.error).toBe(
    'Cannot read submission "both.zip": it is 400.2 KiB, more than the 256 KiB a submission may be',
  );
  const huge = await readArchive(
    "huge.zip",
    makeZip([{ name: "node_modules/x.bin", data: randomBytes(2600 * 1024), method: "store" }]),
  );
  expect(huge.error).toBe(
    'Cannot read submission "huge.zip": it is 2.5 MiB, more than the 256 KiB a submission may be',
  );
  const crowd = Array.from({ length: 501 }, (_, i) => ({ name: `node_modules/m${i}.js`, data: "" }));
  const many = await readArchive("crowd.zip", makeZip([...studentEntries(""), ...crowd]));
  expect(many.error).toBe(
    'Cannot read submission "crowd.zip": it holds more than 500 entries in all, counting the folders the grader never reads (node_modules/, .git/)',
  );
});

test("a folder or archive holding none of the lab's files but one archive is read from that archive", async () => {
  const dir = path.join(work, "grace");
  mkdirSync(path.join(dir, "handin"), { recursive: true });
  writeFileSync(path.join(dir, "handin", "lab.zip"), makeZip(studentEntries("cow-lab/")));
  writeFileSync(path.join(dir, "README.md"), "see the zip");
  const folder = await readSubmission({ id: "grace", path: dir, kind: "folder" }, STUDENT_FILES);
  expect(folder.files.map((f) => f.foundAt)).toEqual(STUDENT_FILES.map((f) => `handin/lab.zip/cow-lab/${f}`));
  const zipped = await readArchive(
    "zipped.zip",
    makeZip([{ name: "lab.tar.gz", data: makeTarGz(studentEntries("")) }]),
  );
  expect(zipped.files.map((f) => f.foundAt)).toEqual(STUDENT_FILES.map((f) => `lab.tar.gz/${f}`));
  // one level only: a zip in a zip in a zip is not opened
  const deeper = await readArchive(
    "deeper.zip",
    makeZip([{ name: "a.zip", data: makeZip([{ name: "b.zip", data: makeZip(studentEntries("")) }]) }]),
  );
  expect(deeper.error).toBe(
    'Cannot read submission "deeper.zip": it holds none of the lab\'s files (uvmcopy.ts, cow.ts, uvmfree.ts), only "a.zip/b.zip"',
  );
});

test("the flat files of one student in a class folder are read under their own names", async () => {
  const klass = writeFiles(path.join(work, "flat-class"), {
    "doejane_12_34_uvmcopy.ts": "// uvmcopy\n",
    "doejane_12_34_cow-1.ts": "// cow\n",
    "roejohn_13_35_cow.ts": "// not jane's\n",
  });
  const intake = await readSubmission(
    {
      id: "doejane_12",
      path: klass,
      kind: "folder",
      members: [
        { path: "doejane_12_34_uvmcopy.ts", kind: "file", as: "uvmcopy.ts" },
        { path: "doejane_12_34_cow-1.ts", kind: "file", as: "cow.ts" },
      ],
    },
    STUDENT_FILES,
  );
  expect(intake.files.map((f) => [f.path, f.foundAt, f.text])).toEqual([
    ["src/kernel/uvmcopy.ts", "uvmcopy.ts", "// uvmcopy\n"],
    ["src/kernel/cow.ts", "cow.ts", "// cow\n"],
  ]);
  expect(intake.missing).toEqual(["src/kernel/uvmfree.ts"]);
});

test("flat files handed in but not used are named, with a did-you-mean when only case or a prefix differs", async () => {
  const klass = writeFiles(path.join(work, "wrong-names"), {
    "wrongname_89012_34567_Uvmcopy.ts": "// uvmcopy\n",
    "wrongname_89012_34567_my_cow.ts": "// cow\n",
    "wrongname_89012_34567_uvmfree.ts": "// uvmfree\n",
    "wrongname_89012_34567_writeup.pdf": "%PDF",
  });
  const member = (file: string): SubmissionMember => ({
    path: `wrongname_89012_34567_${file}`,
    kind: "file",
    as: file,
  });
  const intake = await readSubmission(
    {
      id: "wrongname_89012",
      path: klass,
      kind: "folder",
      members: ["Uvmcopy.ts", "my_cow.ts", "uvmfree.ts", "writeup.pdf"].map(member),
    },
    STUDENT_FILES,
  );
  expect(intake.missing).toEqual(["src/kernel/uvmcopy.ts", "src/kernel/cow.ts"]);
  expect(intake.notes).toEqual([
    '"Uvmcopy.ts" was handed in but not used: did you mean src/kernel/uvmcopy.ts? Names must match exactly, case included.',
    '"my_cow.ts" was handed in but not used: did you mean src/kernel/cow.ts? Names must match exactly, case included.',
    '"writeup.pdf" was handed in but not used: it is not one of the lab\'s files.',
  ]);
});

test("in a folder, a file named like a missing student file but for its case gets a did-you-mean", async () => {
  const dir = writeFiles(path.join(work, "case-folder"), {
    ...three("", ["src/kernel/cow.ts"]),
    "src/kernel/COW.ts": "// cow\n",
    "README.md": "# not named: a folder has too many files",
  });
  const intake = await readSubmission({ id: "case-folder", path: dir, kind: "folder" }, STUDENT_FILES);
  expect(intake.notes).toEqual([
    '"src/kernel/COW.ts" was handed in but not used: did you mean src/kernel/cow.ts? Names must match exactly, case included.',
  ]);
});

test("a folder, an archive and a file inside a class zip are each read as a submission", async () => {
  const klass = path.join(work, "class-of.zip");
  writeFileSync(
    klass,
    makeZip([
      ...studentEntries("export/alice/"),
      { name: "export/bob.zip", data: makeZip(studentEntries("lab/")) },
      { name: "export/carol_1_2_cow.ts", data: "// carol\n" },
      { name: "export/alice-old/../../escape.ts", data: "x" },
    ]),
  );
  const read = (members: SubmissionMember[]) =>
    readSubmission({ id: "x", path: klass, kind: "zip", members }, STUDENT_FILES, SMALL);
  const alice = await read([{ path: "export/alice", kind: "folder", as: "alice" }]);
  expect(alice.files.map((f) => f.foundAt)).toEqual(STUDENT_FILES);
  const bob = await read([{ path: "export/bob.zip", kind: "zip", as: "bob.zip" }]);
  expect(bob.files.map((f) => f.foundAt)).toEqual(STUDENT_FILES.map((f) => `lab/${f}`));
  const carol = await read([{ path: "export/carol_1_2_cow.ts", kind: "file", as: "cow.ts" }]);
  expect(carol.files.map((f) => [f.foundAt, f.text])).toEqual([["cow.ts", "// carol\n"]]);
  const old = await read([{ path: "export/alice-old", kind: "folder", as: "alice-old" }]);
  expect(old.error).toBe(
    'Cannot read submission "alice-old": it holds none of the lab\'s files (uvmcopy.ts, cow.ts, uvmfree.ts); every entry was refused (see the messages below)',
  );
  expect(old.notes[1]).toBe('Cannot read submission "alice-old": entry "../../escape.ts" leaves the archive');
});
