// `oslab COMMAND --help` reads cleanly for every command: each option says
// what it is, defaults make sense (none that contradicts "required", none
// that is this machine's core count), and examples show the usual calls.

import { oslabCli } from "./oslab";

/** What the command line prints for `argv`, and the error it stops on, if any. */
function parse(argv: string[]): Promise<{ output: string; error: string | null }> {
  return new Promise((resolve) => {
    void oslabCli(argv).parse(argv, {}, (err, _args, output) =>
      resolve({ output, error: err === null || err === undefined ? null : err.message }),
    );
  });
}

const COMMANDS = ["run", "trace", "demo", "starter", "grade", "handout", "gradescope"];

test("oslab --help lists every command and says how to learn a command's options", async () => {
  const { output } = await parse(["--help"]);
  for (const c of COMMANDS) expect(output).toMatch(new RegExp(`^  oslab ${c}\\b`, "m"));
  expect(output).toContain("oslab COMMAND --help tells a command's options.");
});

describe.each(COMMANDS)("oslab %s --help", (command) => {
  let help: string;
  beforeAll(async () => {
    help = (await parse([command, "--help"])).output;
  });

  test("shows the command's usage, its examples, and nothing contradictory or empty", () => {
    expect(help).toMatch(new RegExp(`^oslab ${command}\\b`));
    expect(help).toContain("Examples:");
    expect(help).not.toMatch(/\[default: (\[\]|undefined|""|null)\]/);
    expect(help).not.toMatch(/\[required\]\s*\[default/);
    // an option or positional whose line holds only its type: no description
    expect(help.split("\n").filter((l) => /^ {2}(--)?[\w-]+ +\[/.test(l))).toEqual([]);
  });
});

test.each(["grade", "handout", "gradescope"])("oslab %s takes --lab or --lab-dir, not both", async (command) => {
  const { output } = await parse([command, "--help"]);
  expect(output).toMatch(
    /--lab +the lab, by the name of its folder in the kit's labs\/\s+\[string\] \[default: "cow"\]/,
  );
  expect(output).toMatch(/--lab-dir +a lab's folder anywhere/);
  const args = command === "grade" ? ["grade", "x.zip", "--out", "o"] : [command, "--out", "o"];
  expect((await parse([...args, "--lab", "cow", "--lab-dir", "mylab"])).error).toBe(
    "Arguments lab-dir and lab are mutually exclusive",
  );
});

test.each(["run", "trace"])("oslab %s reads a scenario from a lab folder with --lab-dir", async (command) => {
  expect((await parse([command, "--help"])).output).toMatch(/--lab-dir +a lab's folder: FILE is read from it/);
});

test("grade's --jobs default is said in words, not as this machine's core count", async () => {
  expect((await parse(["grade", "--help"])).output).toMatch(
    /--jobs +how many submissions are graded at once\s+\[number\] \[default: the number of CPU cores\]/,
  );
});
