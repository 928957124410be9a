// Fixture suite (the grader's own tests): Jest's semantics, checked by the
// suite itself, so that it passes under Jest and must pass under the
// grader's runner too (grader/equivalence.test.ts runs it under both).

const log: string[] = [];

beforeAll(() => log.push("beforeAll outer"));
beforeEach(() => log.push("beforeEach outer"));
afterEach(() => log.push("afterEach outer"));

describe("S1 a block", () => {
  beforeAll(() => log.push("beforeAll inner"));
  beforeEach(() => log.push("beforeEach inner"));
  afterEach(() => log.push("afterEach inner"));
  afterAll(() => log.push("afterAll inner"));
  test("S1 first", () => {
    log.push("test 1");
  });
  describe("S1 nested", () => {
    test("S1 second", () => {
      log.push("test 2");
    });
  });
});

test("S1 hooks ran in Jest's order", () => {
  expect(log).toEqual([
    "beforeAll outer",
    "beforeAll inner",
    "beforeEach outer",
    "beforeEach inner",
    "test 1",
    "afterEach inner",
    "afterEach outer",
    "beforeEach outer",
    "beforeEach inner",
    "test 2",
    "afterEach inner",
    "afterEach outer",
    "afterAll inner",
    "beforeEach outer",
  ]);
});

test.each([
  [1, 1, 2],
  [2, 3, 5],
])("S1 each row %i + %i = %i", (a, b, sum) => {
  expect(a + b).toBe(sum);
});

test.each([{ small: 1, big: 2 }])("S1 each object $small < $big", ({ small, big }) => {
  expect(small).toBeLessThan(big);
});

describe.each([["x"], ["y"]])("S1 describe.each %s", (row) => {
  test("S1 sees its row", () => {
    expect(["x", "y"]).toContain(row);
  });
});

test("S1 an async test is awaited", async () => {
  const v = await new Promise<number>((resolve) => setTimeout(() => resolve(7), 5));
  expect(v).toBe(7);
});

test("S1 a done callback is waited for", (done) => {
  setTimeout(done, 5);
});

test("S1 jest.fn records calls and results", () => {
  const double = jest.fn((x: number) => x * 2);
  double(2);
  expect(double).toHaveBeenCalledWith(2);
  expect(double.mock.results[0]!.value).toBe(4);
});

test("S1 jest.spyOn replaces a method and restores it", () => {
  const o = { m: (): number => 1 };
  const spy = jest.spyOn(o, "m").mockReturnValue(5);
  expect(o.m()).toBe(5);
  spy.mockRestore();
  expect(o.m()).toBe(1);
});

test("S1 expect.assertions counts the assertions made", () => {
  expect.assertions(2);
  expect(1).toBe(1);
  expect([1, 2]).toHaveLength(2);
});

test("S1 expect.extend adds a matcher", () => {
  expect.extend({
    toBeEven(x: number) {
      return { pass: x % 2 === 0, message: () => `expected ${x} to be even` };
    },
  });
  (expect(4) as unknown as { toBeEven(): void }).toBeEven();
  expect(() => (expect(3) as unknown as { toBeEven(): void }).toBeEven()).toThrow("expected 3 to be even");
});

test("S1 asymmetric matchers and toThrow", () => {
  expect({ a: 1, b: "two" }).toEqual({ a: expect.any(Number), b: expect.stringContaining("tw") });
  expect(() => {
    throw new RangeError("out of range");
  }).toThrow(RangeError);
});

test.skip("S1 a skipped test does not run", () => {
  throw new Error("a skipped test ran");
});

test.todo("S1 a test to write");
