// How a process is started under each layer: the program fork() runs
// (its execPath) and the arguments before the script's path (its execArgv).
//
//   none:  node <node options> <script>
//   bwrap: sh -c LIMITS  bwrap <sandbox> -- node <permission> <node options> <script>
//   user:  sh -c LIMITS  node <permission> <node options> <script>   (as the sandbox user, in a group of its own)
//
// The shell sets the resource limits and then becomes the next program
// (exec: the pid stays), so the process fork() returns is bubblewrap's
// (bwrap) or node's (user, none).

import { bwrapArgs, bwrapBinary } from "./_bwrap";
import { LIMITS_SCRIPT, SHELL, permissionArgs } from "./_node";
import { sandboxUser } from "./_user";
import type { IsolationLayer } from "./isolation";

export interface Launch {
  readonly execPath: string;
  readonly execArgv: readonly string[];
  /** The user to run as (the user layer). */
  readonly uid?: number;
  readonly gid?: number;
  /** A process group (and session) of its own, killed as a group. */
  readonly detached: boolean;
}

/**
 * The launch of a node process that may read `read` and nothing else,
 * under `layer`. `permission: false` leaves Node's permission model out
 * (for tests of the layer beneath it alone).
 */
export function launchOf(
  layer: IsolationLayer,
  read: readonly string[],
  nodeArgs: readonly string[],
  permission = true,
): Launch {
  if (layer === "none") return { execPath: process.execPath, execArgv: nodeArgs, detached: false };
  const model = permission ? permissionArgs(read) : [];
  if (model === null) throw new Error(`Cannot sandbox a process: Node ${process.version} has no permission model`);
  const node = [process.execPath, ...model, ...nodeArgs];
  const shell = ["-c", LIMITS_SCRIPT, "oslab-sandbox"];
  if (layer === "bwrap") {
    const bwrap = bwrapBinary();
    if (bwrap === null) throw new Error("Cannot sandbox a process: bubblewrap (bwrap) is not installed");
    return { execPath: SHELL, execArgv: [...shell, bwrap, ...bwrapArgs(bwrap, read), ...node], detached: false };
  }
  const user = sandboxUser();
  return { execPath: SHELL, execArgv: [...shell, ...node], uid: user.uid, gid: user.gid, detached: true };
}
