// A Difference in the student's words: where it happened, what the
// student's kernel did and what the reference kernel did, with PTE flags
// named (`rw- u COW`) and addresses in hex. For an item the student does not
// see in full, only the kind of thing that differed is said: never where,
// never the values, never what the test checks.

import { PTE_COW, PTE_R, PTE_U, PTE_W, PTE_X } from "../../solution/src/hw/riscv";
import { stepName } from "../../solution/src/scenario/steps";
import type { Difference, DifferenceKind, FrameRole, PageRef, ProcRef, StepRef, Where } from "./difference";

/** The hint of a failed item: from what differed when known, else the rubric's (`fallback`). */
export function hintOf(difference: Difference | undefined, fallback: string, full: boolean): string {
  if (difference === undefined) return fallback;
  return full ? describeDifference(difference) : describeKind(difference.kind);
}

/** What differed, in one or two sentences, for a student who sees the item in full. */
export function describeDifference(d: Difference): string {
  // what a call returned is said once: by the difference itself when that is what differs
  if (d.kind === "call") return `Up to the same point, ${whatText(d)}`;
  const at = d.kind === "returned" && d.at.kind === "call" ? { ...d.at, result: "" } : d.at;
  return `${capital(whereText(at))}, ${whatText(d)}`;
}

/** Which kind of thing differed, and nothing else: for an item the student does not see in full. */
export function describeKind(kind: DifferenceKind): string {
  return `Where your kernel first differed from the reference kernel: ${KIND_WORDS[kind]}.`;
}

const KIND_WORDS: Readonly<Record<DifferenceKind, string>> = {
  returned: "what one of your functions returned",
  "process-state": "whether a process was still running, had exited or was killed",
  refcount: "a frame's reference count",
  "freed-while-mapped": "a frame was freed while a page still mapped it",
  mapping: "whether a page was mapped",
  "pte-flags": "a PTE's flags",
  "copied-instead-of-reused": "a page was copied where the reference kernel reused its frame",
  "reused-instead-of-copied": "a page kept its frame where the reference kernel copied it",
  sharing: "which pages share a frame",
  contents: "the bytes a page holds",
  "stale-tlb": "a stale TLB entry (a fence that was missing)",
  "page-tables": "how many page-table pages a process has",
  "frame-not-freed": "a frame that was never freed",
  call: "which faults and calls happened",
};

/** PTE flags as a student reads them: `r-x u`, `rw- u`, `r-- u COW`. */
export function flagNames(flags: number): string {
  const rwx = `${flags & PTE_R ? "r" : "-"}${flags & PTE_W ? "w" : "-"}${flags & PTE_X ? "x" : "-"}`;
  return [rwx, ...(flags & PTE_U ? ["u"] : []), ...(flags & PTE_COW ? ["COW"] : [])].join(" ");
}

/** An address as eight hex digits: 0x00015000. */
export function hexAddress(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, "0")}`;
}

function whatText(d: Difference): string {
  switch (d.kind) {
    case "returned":
      return returnedText(d);
    case "process-state":
      return `${procText(d.process)} is ${statusText(d.actual)} on your kernel; on the reference kernel it is ${statusText(d.expected)}.`;
    case "refcount":
      return refcountText(d);
    case "freed-while-mapped":
      return (
        `${frameText(d.page)} is free on your kernel (reference count 0) although it is still mapped; ` +
        `on the reference kernel its count is ${d.expected}. A frame that another page still maps must lose one reference, not be freed.`
      );
    case "mapping":
      return d.actual === null
        ? `${pageText(d.page)} is not mapped on your kernel; on the reference kernel it is mapped ${flagNames(d.expected!)}.`
        : `${pageText(d.page)} is mapped ${flagNames(d.actual)} on your kernel; on the reference kernel it is not mapped.`;
    case "pte-flags":
      return `the PTE of ${pageText(d.page)} is ${flagNames(d.actual)} on your kernel; on the reference kernel it is ${flagNames(d.expected)}.`;
    case "copied-instead-of-reused":
      return (
        `your kernel gave ${pageText(d.page)} a new frame (a copy); the reference kernel kept its frame and only made it ` +
        `${flagNames(d.flags)}, since no other page mapped that frame any more.`
      );
    case "reused-instead-of-copied":
      return `your kernel let ${pageText(d.page)} keep its frame, made ${flagNames(d.flags)}; the reference kernel gave it a copy, since other pages still mapped that frame.`;
    case "sharing":
      return `${pageText(d.page)} shares its frame with ${pagesText(d.actual)} on your kernel; on the reference kernel with ${pagesText(d.expected)}.`;
    case "contents":
      return `${pageText(d.page)} holds other bytes on your kernel than on the reference kernel.`;
    case "stale-tlb":
      return (
        `the TLB still translates ${pageText(d.page)} as ${flagNames(d.cached)}, but its PTE is now ` +
        `${d.current === null ? "gone" : flagNames(d.current)}: the reference kernel fenced it (sfence.vma) after changing the PTE.`
      );
    case "page-tables":
      return `${procText(d.process)} has ${count(d.actual, "page-table page")} on your kernel, ${d.expected} on the reference kernel.`;
    case "frame-not-freed":
      return notFreedText(d);
    case "call":
      return callText(d);
  }
}

function returnedText(d: Extract<Difference, { kind: "returned" }>): string {
  const free =
    d.freeFrames > 0 ? ` while ${count(d.freeFrames, "frame")} ${d.freeFrames === 1 ? "was" : "were"} free` : "";
  const where =
    d.referencePa === null
      ? ""
      : ` (its new frame was at physical address ${hexAddress(d.referencePa)}${d.referencePa === 0 ? ", a frame like any other" : ""})`;
  return `your function returned ${quote(d.actual)}${free}; on the reference kernel it returned ${quote(d.expected)}${where}.`;
}

function refcountText(d: Extract<Difference, { kind: "refcount" }>): string {
  const maps = `${count(d.mappers, "PTE")} ${d.mappers === 1 ? "maps" : "map"} it`;
  const base = `${frameText(d.page)} has reference count ${d.actual} on your kernel, and ${maps}; on the reference kernel its count is ${d.expected}.`;
  if (d.leftBy === null) return base;
  return `${base} When ${pageText(d.leftBy)} moved to a copy of that frame, its reference to the old frame was never dropped.`;
}

function notFreedText(d: Extract<Difference, { kind: "frame-not-freed" }>): string {
  const what = [
    ...(d.pageTables > 0 ? [count(d.pageTables, "page-table page")] : []),
    ...(d.frames > 0 ? [count(d.frames, "frame")] : []),
  ].join(" and ");
  const n = d.pageTables + d.frames;
  const former = d.formerly === null ? "" : ` One of them was ${roleText(d.formerly)}.`;
  return `${what} ${n === 1 ? "is" : "are"} still allocated on your kernel though nothing uses ${n === 1 ? "it" : "them"}; the reference kernel freed ${n === 1 ? "it" : "them"}.${former}`;
}

function callText(d: Extract<Difference, { kind: "call" }>): string {
  return `your kernel next ${nextWords(d.at)}; the reference kernel next ${nextWords(d.expected)}.`;
}

/** What a kernel did next: "called cowfault() for pid 2 at 0x00015000, which returned "not-cow"". */
function nextWords(w: Where | null): string {
  if (w === null || w.kind === "end" || w.kind === "start") return "reached the end";
  if (w.kind === "step") return `finished ${stepText(w.step)}`;
  return `called ${callPhrase(w)}${w.result === "" ? "" : `, which returned${returnedWords(w.result)}`}`;
}

// --- where ---------------------------------------------------------------------------

function whereText(w: Where): string {
  switch (w.kind) {
    case "start":
      return "before your code first ran";
    case "end":
      return "at the end of the test";
    case "step":
      return `after ${stepText(w.step)}`;
    case "call": {
      const step = w.step === null ? "" : `, in ${stepText(w.step)}`;
      return `right after ${callPhrase(w)} returned${returnedWords(w.result)}${step}`;
    }
  }
}

/** "cowfault() for pid 2 at 0x00015000". */
function callPhrase(w: Extract<Where, { kind: "call" }>): string {
  const who = w.process === null ? "" : ` for ${procText(w.process)}`;
  const at = w.va === null ? "" : ` at ${hexAddress(w.va)}`;
  return `${w.fn}()${who}${at}`;
}

function returnedWords(result: string): string {
  if (result === "") return "";
  return /^-?\d+$/.test(result) ? ` ${result}` : ` ${quote(result)}`;
}

/** "step 4.2, round 3 (memset P bss)": the step as the scenario's messages and traces name it. */
function stepText(s: StepRef): string {
  return `${stepName(s.number, s.round)} (${s.text})`;
}

function procText(p: ProcRef): string {
  if (p.pid === 0) return p.name ?? "a page table no process owns";
  return p.name === null ? `pid ${p.pid}` : `${p.name} (pid ${p.pid})`;
}

/** "pid 2's page at 0x00015000": the frame's role, as the student finds it. */
function pageText(p: PageRef): string {
  if (p.process.pid === 0) return `the page at ${hexAddress(p.va)} in ${procText(p.process)}`;
  return `${procText(p.process)}'s page at ${hexAddress(p.va)}`;
}

/** "pid 1's level-0 page table for 0x00000000 to 0x003fffff". */
function roleText(r: FrameRole): string {
  if (r.role === "page") return `the frame ${procText(r.process)} mapped at ${hexAddress(r.va)}`;
  if (r.role === "root table") return `${procText(r.process)}'s root page table`;
  return `${procText(r.process)}'s level-0 page table for ${hexAddress(r.va)} to ${hexAddress(r.va + 2 ** 22 - 1)}`;
}

/** "the frame pid 2 maps at 0x00015000". */
function frameText(p: PageRef): string {
  return `the frame ${procText(p.process)} maps at ${hexAddress(p.va)}`;
}

function pagesText(pages: readonly PageRef[]): string {
  if (pages.length === 0) return "no other page";
  const shown = pages.slice(0, 4).map(pageText);
  return pages.length > 4 ? `${shown.join(", ")} and ${pages.length - 4} more` : shown.join(", ");
}

function statusText(s: string): string {
  return s === "absent" ? "not there" : s;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

function quote(s: string): string {
  return s === "" ? "nothing" : `"${s}"`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
