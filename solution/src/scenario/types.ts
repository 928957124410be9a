// The scenario format, version 1 (SCENARIOS.md at the project's root), as types.
// parse.ts turns a JSON file into these, or says which step and field is wrong.

import { Counters } from "../hw/machine";
import { Image } from "../kernel/layout";

/** A virtual address as written: a number, or a label plus an offset. */
export type Address = number | { readonly label: string; readonly offset: number; readonly text: string };

export type Figure = "pid" | "minorFaults" | "rssPages" | "sharedPages" | "privatePages" | "state" | "killedBy";
export const FIGURE_NAMES: readonly Figure[] = [
  "pid",
  "minorFaults",
  "rssPages",
  "sharedPages",
  "privatePages",
  "state",
  "killedBy",
];

export type Bound = { readonly equals?: number | string | null; readonly atMost?: number; readonly atLeast?: number };

export type Step =
  | { readonly op: "spawn"; readonly as: string; readonly image: string }
  | {
      readonly op: "sbrk";
      readonly proc: string;
      readonly bytes: number;
      readonly label?: string;
      readonly expectError?: "ENOMEM";
    }
  | {
      readonly op: "malloc";
      readonly proc: string;
      readonly bytes: number;
      readonly label: string;
      readonly expectError?: "ENOMEM";
    }
  | { readonly op: "write"; readonly proc: string; readonly addr: Address; readonly bytes: readonly number[] }
  | {
      readonly op: "memset";
      readonly proc: string;
      readonly addr: Address;
      readonly value: number;
      readonly bytes: number;
    }
  | {
      readonly op: "touch";
      readonly proc: string;
      readonly addr: Address;
      readonly pages: number;
      readonly access: "read" | "write";
    }
  | {
      readonly op: "read";
      readonly proc: string;
      readonly addr: Address;
      readonly bytes: number;
      readonly expect?: readonly number[];
    }
  | { readonly op: "fork"; readonly proc: string; readonly as: string; readonly expectError?: "ENOMEM" }
  | { readonly op: "exec"; readonly proc: string; readonly image: string; readonly expectError?: "ENOMEM" }
  | { readonly op: "exit"; readonly proc: string; readonly status: number }
  | { readonly op: "wait"; readonly proc: string; readonly expectStatus?: number; readonly statusAddr?: Address }
  | { readonly op: "repeat"; readonly times: number; readonly steps: readonly Step[] }
  | { readonly op: "snapshot"; readonly label: string }
  | ({ readonly op: "expect"; readonly counter: keyof Counters } & Bound)
  | ({ readonly op: "expect"; readonly proc: string; readonly figure: Figure } & Bound);

export type Op = Step["op"];

export interface MachineSpec {
  readonly frames: number;
  readonly tlbEntries: number;
  readonly seed?: number;
  /** Extension: ASIDs the machine has, ASID 0 included (default 512). */
  readonly asids?: number;
  /** Extension: machine steps before a runaway kernel is stopped. */
  readonly stepBudget?: number;
}

export interface Scenario {
  readonly version: 1;
  readonly name: string;
  readonly description: string;
  readonly machine: MachineSpec;
  readonly images: Readonly<Record<string, Image>>;
  readonly steps: readonly Step[];
}

/** The default image every scenario has unless it defines its own `init`. */
export const INIT_IMAGE: Image = { text: 4, data: 1, bss: 1, stack: 1 };
