import { checkMessage } from "../run";
import { acceptDifference } from "./accept";
import { ONE_OF_EACH } from "./_samples";

describe("acceptDifference", () => {
  it("takes every kind of difference as the worker sends it, unchanged", () => {
    for (const d of ONE_OF_EACH) expect(acceptDifference(JSON.parse(JSON.stringify(d)))).toEqual(d);
  });

  it("refuses an unknown kind, a field it does not know, a wrong type and an oversized text", () => {
    const flags = ONE_OF_EACH.find((d) => d.kind === "pte-flags")!;
    expect(acceptDifference({ ...flags, kind: "gossip" })).toBeNull();
    expect(acceptDifference({ ...flags, note: "hello" })).toBeNull();
    expect(acceptDifference({ ...flags, expected: "r--" })).toBeNull();
    expect(acceptDifference({ ...flags, at: { kind: "step", step: { path: "x".repeat(201), text: "" } } })).toBeNull();
    expect(acceptDifference("pte-flags")).toBeNull();
  });
});

describe("checkMessage", () => {
  const result = { type: "result", key: "partA.hidden.test.js › A1 x", status: "failed", message: "", logs: "" };

  it("keeps the difference of a worker's result", () => {
    const d = ONE_OF_EACH[0]!;
    expect(checkMessage({ ...result, difference: d })).toEqual({ ...result, difference: d });
  });

  it("refuses a result whose difference is not one", () => {
    expect(checkMessage({ ...result, difference: { kind: "refcount" } })).toBe("a message of a kind it does not send");
  });
});
