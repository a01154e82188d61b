/**
 * Opens the HTML report in headless Chromium from file:// and checks that it works offline:
 * no errors, the lanes are visible, a click on the finding fills the details panel. Saves a
 * screenshot to out/report-screenshot.png for a person to look at.
 *
 * Chromium is /usr/bin/chromium (Debian's package). Without it the test is skipped, except on
 * CI (process.env.CI set), where CI installs it and a missing browser is a failure.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { renderHtml } from "./html.js";
import { PCI_NAME, passRunRecord, uafRunRecord } from "./_test_record.js";

const CHROMIUM_PATH = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const TEST_TIMEOUT_MS = 90_000;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

/** The repository root: the nearest folder above this file with a package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 10; depth++) {
    if (existsSync(join(dir, "package.json"))) return dir;
    dir = dirname(dir);
  }
  throw new Error("Cannot find repository root: no package.json above the test file");
}

test("renderHtml() output works in headless Chromium from file://", { timeout: TEST_TIMEOUT_MS }, async (t) => {
  if (!existsSync(CHROMIUM_PATH)) {
    const message = `Cannot run browser test: ${CHROMIUM_PATH} not found (apt-get install -y chromium)`;
    if (process.env["CI"] !== undefined) assert.fail(message);
    t.skip(message);
    return;
  }
  const tempDir = mkdtempSync(join(tmpdir(), "vdrm-report-"));
  const reportPath = join(tempDir, "report.html");
  writeFileSync(reportPath, renderHtml([uafRunRecord(), passRunRecord()]));
  const screenshotPath = join(repoRoot(), "out", "report-screenshot.png");
  mkdirSync(dirname(screenshotPath), { recursive: true });

  // launch() gives the browser a fresh temporary profile (user-data-dir) and deletes it on close.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    const foreignRequests: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
    });
    page.on("pageerror", (error) => errors.push(`page: ${error.message}`));
    page.on("request", (request) => {
      if (!request.url().startsWith("file:")) foreignRequests.push(request.url());
    });
    await page.goto(pathToFileURL(reportPath).href, { waitUntil: "load" });

    const run = page.locator(`section[data-record="unplug-while-reading"]`);
    const other = page.locator(`section[data-record="vkms-probe-remove"]`);
    assert.ok(await run.isVisible(), "the first record is shown");
    assert.ok(!(await other.isVisible()), "the second record waits in its tab");
    for (const lane of ["task:kworker/0:1", "task:app", "task:unplug", `device:${PCI_NAME}`, "uevents"]) {
      assert.ok(await run.locator(`[data-lane="${lane}"]`).isVisible(), `lane ${lane} is visible`);
    }
    assert.equal(await run.locator(`[data-lane="uevents"] [data-kind="uevent"]`).count(), 2);
    assert.equal(await run.locator(`[data-lane="device:${PCI_NAME}"] [data-kind="alloc"]`).count(), 4);

    await page.locator(`nav.tabs [data-tab="1"]`).click();
    assert.ok(await other.isVisible(), "the second tab shows the second record");
    assert.ok(!(await run.isVisible()), "and hides the first");
    await page.locator(`nav.tabs [data-tab="0"]`).click();

    const finding = run.locator(`[data-lane="task:app"] [data-kind="finding"]`);
    assert.equal(await finding.count(), 1, "one finding mark on the app lane");
    await finding.click();
    const details = (await page.locator("#details").textContent()) ?? "";
    assert.match(details, /use-after-free/);
    assert.match(details, /"free": \{/);
    assert.match(details, /drm_dev_release/, "the details show the free site");
    assert.match(details, /"fn": "drm_ioctl"/, "and the access site");

    await run.locator(".findings-list a").nth(1).click();
    assert.match((await page.locator("#details").textContent()) ?? "", /"kind": "leak"/, "a findings list link selects its mark");
    await finding.click();

    await page.screenshot({ path: screenshotPath, fullPage: true });
    assert.ok(statSync(screenshotPath).size > 0, "the screenshot is not empty");
    assert.deepEqual(readFileSync(screenshotPath).subarray(0, 4), PNG_MAGIC);
    assert.deepEqual(errors, [], "no console or page errors");
    assert.deepEqual(foreignRequests, [], "no requests outside file://");
  } finally {
    await browser.close();
    rmSync(tempDir, { recursive: true, force: true });
  }
});
