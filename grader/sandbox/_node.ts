// What every sandboxed Node process gets, whatever the layer: Node's
// permission model (reads only of the paths it is given; no writes, no
// child processes, no worker threads, no native addons, no WASI), a clean
// environment, and resource limits set by a shell just before node starts.

/** Node's permission flag: "--experimental-permission" in Node 20 and 21, "--permission" from 22. */
export function permissionFlag(version = process.versions.node): string | null {
  const major = Number(version.split(".")[0]);
  if (major < 20) return null;
  return major >= 22 ? "--permission" : "--experimental-permission";
}

/**
 * Node's options that turn the permission model on with reads of `read`
 * alone (one --allow-fs-read each: Node 20.x and later take them so). Null
 * where this Node has no permission model.
 */
export function permissionArgs(read: readonly string[]): string[] | null {
  const flag = permissionFlag();
  if (flag === null) return null;
  // the model's start-up warning would land in stderr, where the grader looks for V8's fatal errors
  const quiet = process.allowedNodeEnvironmentFlags.has("--disable-warning")
    ? ["--disable-warning=ExperimentalWarning"]
    : [];
  return [flag, ...quiet, ...[...new Set(read)].map((p) => `--allow-fs-read=${p}`)];
}

/** The whole environment of a sandboxed process (fork adds its IPC channel's variables). */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    LANG: "C.UTF-8",
    TZ: "UTC",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    ...extra,
  };
}

/**
 * The shell that starts a sandboxed process sets these limits and then
 * becomes the command ("exec", same pid): no core file (it would hold the
 * hidden suites, and a core pattern may hand it to a program of the host),
 * and no file larger than 32 MiB (POSIX counts -f in blocks of 512 bytes,
 * as dash does, and bash when started as sh).
 */
export const LIMITS_SCRIPT = 'ulimit -c 0 && ulimit -f 65536 && exec "$@"';

/** The shell that runs LIMITS_SCRIPT. */
export const SHELL = "/bin/sh";
