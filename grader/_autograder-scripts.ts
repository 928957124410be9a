// The two scripts Gradescope runs from the autograder zip: setup.sh, once,
// as root, when it builds the autograder's image, and run_autograder, for
// each submission. Both take $OSLAB_AUTOGRADER_ROOT in place of /autograder
// (to test them anywhere).

/** The user student code runs as where bubblewrap cannot run (grader/sandbox/_user.ts looks for it). */
export const SANDBOX_USER = "oslab-sandbox";

/**
 * The Node LTS line setup.sh installs when the image has no suitable Node:
 * 24, supported until April 2028 (Node 20, the kit's floor, reached its end
 * of life in April 2026).
 */
export const NODE_LTS_MAJOR = 24;

export interface SetupOptions {
  /** The oldest Node major the kit runs on (package.json "engines"). */
  readonly nodeFloor: number;
  readonly nodeMajor: number;
}

/** setup.sh: Node when needed, the grader's packages, the sandbox's user, the compiled kit. */
export function setupScript(o: SetupOptions): string {
  return `#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image:
#  1. Node: the one installed is kept when it is ${o.nodeFloor} or later (the kit's floor,
#     package.json "engines") and has npm; else Node ${o.nodeMajor} (LTS) is installed
#     from NodeSource's signed apt repository (its key in a keyring, the
#     repository in a sources list), with bubblewrap.
#  2. The grader's packages: npm ci, from the package-lock.json beside this
#     script (exact versions and integrity hashes): needs the npm registry.
#  3. The unprivileged user ${SANDBOX_USER}: where bubblewrap cannot run
#     (no user namespaces), student code runs as this user.
#  4. The kit compiled once (.oslab-cache), and readable by that user.
set -euo pipefail
root="\${OSLAB_AUTOGRADER_ROOT:-/autograder}"
cd "$root/source"

node_suitable() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= ${o.nodeFloor} ? 0 : 1)'
}

install_node() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends ca-certificates curl gnupg bubblewrap
  install -d -m 0755 /etc/apt/keyrings
  curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key |
    gpg --dearmor --yes -o /etc/apt/keyrings/nodesource.gpg
  chmod 0644 /etc/apt/keyrings/nodesource.gpg
  echo "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_${o.nodeMajor}.x nodistro main" \\
    >/etc/apt/sources.list.d/nodesource.list
  # NodeSource's nodejs, not the distribution's older one
  printf 'Package: nodejs\\nPin: origin deb.nodesource.com\\nPin-Priority: 600\\n' >/etc/apt/preferences.d/nodejs
  apt-get update
  apt-get install -y --no-install-recommends nodejs
}

if node_suitable; then
  echo "oslab setup: using the installed Node $(node --version)"
else
  echo "oslab setup: no Node ${o.nodeFloor} or later with npm; installing Node ${o.nodeMajor} from NodeSource"
  install_node
fi

npm ci --omit=dev --no-audit --no-fund

if ! id -u ${SANDBOX_USER} >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ${SANDBOX_USER}
fi

node dist/grader/autograder.js --prepare "$root"

# ${SANDBOX_USER} must enter $root and read the kit, and may write none of it;
# Node's permission model narrows its reads further, to what each process needs
chmod o+x "$root"
chmod -R go-w,o+rX "$root/source"
`;
}

/** run_autograder: grades <root>/submission into <root>/results/results.json. */
export const RUN_AUTOGRADER = `#!/usr/bin/env bash
# Grades <root>/submission into <root>/results/results.json; <root> is
# /autograder on Gradescope, or $OSLAB_AUTOGRADER_ROOT.
set -euo pipefail
root="\${OSLAB_AUTOGRADER_ROOT:-/autograder}"
mkdir -p "$root/results"
cd "$root/source"
exec node dist/grader/autograder.js "$root"
`;
