// A test-only hook that makes the grader fail on purpose, to exercise its
// handling of its own bugs: OSLAB_GRADER_FAULT="<stage>:<submission id>",
// several separated by commas (stage "score", "report" or "picture"), throws at that
// point for that submission. Unset, as always outside the grader's tests,
// it does nothing.

/** Throws when OSLAB_GRADER_FAULT names this stage and submission. */
export function faultPoint(stage: "score" | "report" | "picture", id: string): void {
  const want = process.env.OSLAB_GRADER_FAULT;
  if (want !== undefined && want.split(",").includes(`${stage}:${id}`))
    throw new Error(`Injected grader fault (OSLAB_GRADER_FAULT): a test made the ${stage} stage fail for ${id}`);
}
