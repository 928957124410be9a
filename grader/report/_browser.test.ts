import { existsSync } from "node:fs";
import { BROWSER_PATHS, browserForTests, findBrowser, launchBrowser, pageProblems } from "./_browser";

describe("findBrowser", () => {
  it("takes CHROME_PATH when it is set", () => {
    expect(findBrowser({ env: { CHROME_PATH: process.execPath } })).toBe(process.execPath);
  });

  it("refuses a CHROME_PATH that does not exist, quoting it", () => {
    expect(() => findBrowser({ env: { CHROME_PATH: "/nowhere/chrome" } })).toThrow(
      'Cannot use the browser "/nowhere/chrome" named by CHROME_PATH: no such file',
    );
  });

  it("takes the first candidate that exists, and null when none does", () => {
    expect(findBrowser({ env: {}, candidates: ["/nowhere/a", process.execPath, "/bin/sh"] })).toBe(process.execPath);
    expect(findBrowser({ env: {}, candidates: ["/nowhere/a", "/nowhere/b"] })).toBeNull();
  });

  it("looks in Debian's place first", () => {
    expect(BROWSER_PATHS[0]).toBe("/usr/bin/chromium");
  });
});

describe("browserForTests", () => {
  const none = { candidates: ["/nowhere/a"] };

  it("prints a note and returns null when no browser is installed", () => {
    const write = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(browserForTests("the page tests", { ...none, env: {} })).toBeNull();
      expect(write).toHaveBeenCalledWith(
        "note: the page tests skipped: no browser installed (apt-get install chromium, or set CHROME_PATH)\n",
      );
    } finally {
      write.mockRestore();
    }
  });

  it("throws instead when OSLAB_REQUIRE_BROWSER=1", () => {
    expect(() => browserForTests("the page tests", { ...none, env: { OSLAB_REQUIRE_BROWSER: "1" } })).toThrow(
      "No browser found: set CHROME_PATH or install one of /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome (apt-get install chromium) (OSLAB_REQUIRE_BROWSER=1)",
    );
  });
});

const chrome = browserForTests("the headless browser's own tests");
(chrome === null ? describe.skip : describe)("launchBrowser", () => {
  jest.setTimeout(30_000);

  it("runs a page headless, reports its console errors, and deletes its profile on close", async () => {
    const browser = await launchBrowser({ executable: chrome! });
    expect(existsSync(browser.profile)).toBe(true);
    const page = await browser.newPage();
    const problems = pageProblems(page);
    await page.setContent(`<p id="p">hello</p><script>console.error("broken: " + 1)</script>`);
    expect(await page.textContent("#p")).toBe("hello");
    expect(await page.evaluate("navigator.webdriver")).toBe(true);
    await page.waitForTimeout(50);
    expect(problems).toEqual(["console error: broken: 1"]);
    await browser.close();
    expect(existsSync(browser.profile)).toBe(false);
  });

  it("names the executable when it cannot start", async () => {
    await expect(launchBrowser({ executable: "/bin/false" })).rejects.toThrow(
      'Cannot start the browser "/bin/false": ',
    );
  });
});
