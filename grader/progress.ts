// Progress of a batch: a bar on a terminal, one plain line per submission
// on CI or when the output is not a terminal (a log file stays readable).

import { SingleBar } from "cli-progress";
import { SubmissionResult } from "./model";

export interface Progress {
  graded(result: SubmissionResult, done: number, total: number, resumed?: boolean): void;
  stop(): void;
}

/** A progress display for `total` submissions, on `stream`. */
export function progress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const plain = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";
  if (plain || !stream.isTTY) {
    return {
      graded: (r, done, n, resumed) =>
        stream.write(
          `graded ${done}/${n} ${r.id}: ${r.score}/${r.maxScore}${r.status === "graded" ? "" : " (grader error)"}${resumed === true ? " (earlier run)" : ""}\n`,
        ),
      stop: () => undefined,
    };
  }
  const bar = new SingleBar({
    stream,
    format: "grading [{bar}] {value}/{total} {last}",
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(total, 0, { last: "" });
  return {
    graded: (r, done) => bar.update(done, { last: `${r.id} ${r.score}/${r.maxScore}` }),
    stop: () => bar.stop(),
  };
}

/** A line of text for a result (a whole lab's score and what was lost). */
export function resultLine(r: SubmissionResult): string {
  const lost = r.items.filter((i) => !i.passed).map((i) => i.id);
  return `${r.id}: ${r.score}/${r.maxScore}${lost.length > 0 ? ` (lost ${lost.join(" ")})` : ""}`;
}
