import {
  HINTS_SHOWN_KEY,
  PastRecord,
  SubmissionHistory,
  pastRecordOf,
  releaseHints,
  timeIn,
  tokenSentence,
} from "./_tokens";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-12-02T12:00:00-08:00");
const RULE = { tokens: 2, hours: 24 };

/** A history at T0 + `at` hours, with earlier submissions at the given hours (relative to T0) and records. */
function history(at: number, previous: [number, PastRecord][]): SubmissionHistory {
  return {
    at: T0 + at * HOUR,
    zone: "-08:00",
    previous: previous.map(([h, record]) => ({ at: T0 + h * HOUR, record })),
  };
}

describe("release tokens", () => {
  test("without tokens in the rubric, hints are shown on every submission", () => {
    const h = history(0, [
      [-1, "shown"],
      [-2, "shown"],
      [-3, "shown"],
    ]);
    expect(releaseHints(undefined, h, true)).toEqual({ kind: "every-submission" });
  });

  test("the tokens of the window are spent one by one, then the hints are held back", () => {
    expect(releaseHints(RULE, history(0, []), true)).toMatchObject({ kind: "released", left: 1 });
    expect(releaseHints(RULE, history(0, [[-1, "shown"]]), true)).toMatchObject({ kind: "released", left: 0 });
    const held = releaseHints(
      RULE,
      history(0, [
        [-5, "shown"],
        [-1, "shown"],
      ]),
      true,
    );
    // the older of the two comes back 24 hours after it was spent
    expect(held).toEqual({ kind: "held", rule: RULE, back: T0 + 19 * HOUR });
  });

  test("a submission spent more than `hours` ago no longer counts", () => {
    const h = history(0, [
      [-24, "shown"],
      [-30, "shown"],
      [-2, "shown"],
    ]);
    expect(releaseHints(RULE, h, true)).toMatchObject({ kind: "released", left: 0 });
  });

  test("a run the grader itself failed, or whose hints were not shown, costs no token", () => {
    const h = history(0, [
      [-3, "grader-failure"],
      [-2, "not-shown"],
      [-1, "shown"],
    ]);
    expect(releaseHints(RULE, h, true)).toMatchObject({ kind: "released", left: 0 });
  });

  test("results that say nothing of hints count as spent (never more hints than the rubric allows)", () => {
    expect(
      releaseHints(
        RULE,
        history(0, [
          [-2, "unknown"],
          [-1, "unknown"],
        ]),
        true,
      ).kind,
    ).toBe("held");
  });

  test("regrading an old submission later, with newer ones in the history, gives the same answer", () => {
    const first = releaseHints(RULE, history(0, [[-1, "shown"]]), true);
    // regraded days later: Gradescope may list every submission, newer ones and itself included
    const later = history(0, [
      [-1, "shown"],
      [0, "shown"],
      [2, "shown"],
      [50, "not-shown"],
    ]);
    expect(releaseHints(RULE, later, true)).toEqual(first);
  });

  test("a submission with no hint to show spends no token", () => {
    const r = releaseHints(RULE, history(0, [[-1, "shown"]]), false);
    expect(r).toEqual({ kind: "nothing-to-show", rule: RULE, left: 1 });
  });

  test("without Gradescope's history, hints are shown and the student is told they were not counted", () => {
    const r = releaseHints(RULE, { unknown: "Gradescope gave no submission_metadata.json" }, true);
    expect(r.kind).toBe("not-counted");
    expect(tokenSentence(r, "Z")).toBe(
      "Hint tokens: hints of hidden tests are shown on 2 submissions in any 24 hours; not counted here (Gradescope gave no submission_metadata.json).",
    );
  });
});

describe("what an earlier submission's results say", () => {
  test("read from the kit's own extra_data", () => {
    expect(pastRecordOf({ extra_data: { status: "graded", [HINTS_SHOWN_KEY]: true } })).toBe("shown");
    expect(pastRecordOf({ extra_data: { status: "graded", [HINTS_SHOWN_KEY]: false } })).toBe("not-shown");
    expect(pastRecordOf({ extra_data: { status: "grader-error", [HINTS_SHOWN_KEY]: false } })).toBe("grader-failure");
    expect(pastRecordOf({ score: 3 })).toBe("unknown");
    expect(pastRecordOf(null)).toBe("unknown");
  });
});

describe("what the student reads", () => {
  test("a released hint tells how many are left and when the oldest comes back, in the course's time", () => {
    const r = releaseHints(RULE, history(0, [[-5, "shown"]]), true);
    expect(tokenSentence(r, "-08:00")).toBe(
      "Hint tokens: hints of hidden tests are shown on 2 submissions in any 24 hours. " +
        "This submission used one: 0 of 2 left (the oldest one used comes back at 2026-12-03 07:00 -08:00).",
    );
  });

  test("held back, it tells when the next token comes back", () => {
    const r = releaseHints({ tokens: 1, hours: 1 }, history(0, [[-0.5, "shown"]]), true);
    expect(tokenSentence(r, "-08:00")).toBe(
      "Hint tokens: hints of hidden tests are shown on 1 submission in any 1 hour, and you have used all 1, " +
        "so this submission's hints are held back. The next token comes back at 2026-12-02 12:30 -08:00.",
    );
  });

  test("times are rounded up to the minute, in the offset given", () => {
    const ms = Date.parse("2026-12-02T20:14:01Z");
    expect(timeIn(ms, "Z")).toBe("2026-12-02 20:15 UTC");
    expect(timeIn(ms, "+05:30")).toBe("2026-12-03 01:45 +05:30");
    expect(timeIn(Date.parse("2026-12-02T20:14:00Z"), "-07:00")).toBe("2026-12-02 13:14 -07:00");
  });
});
