/**
 * Opens the HTML report in headless Chromium from file:// and checks that it works offline:
 * no errors, the lanes are visible, a click on the finding fills the details panel, and a
 * device's buffers, mappings and fences are drawn below it with their signals and leaks.
 * Saves a screenshot to out/report-screenshot.png for a person to look at.
 *
 * See _browser.ts for how Chromium is found and driven.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { renderHtml } from "./html.js";
import { PCI_NAME, passRunRecord, uafRunRecord } from "./_test_record.js";
import { CARD0, CARD1, SHARED_LABELS, sharedObjectsRunRecord } from "./_test_shared.js";
import { PNG_MAGIC, screenshotPath, TEST_TIMEOUT_MS, withReportPage } from "./_browser.js";

/** What the page's window offers a test (the DOM library is not part of this build). */
interface BrowserWindow {
  getComputedStyle(el: unknown): { readonly borderTopStyle: string };
}

test("renderHtml() output works in headless Chromium from file://", { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const shot = screenshotPath("report-screenshot.png");
  const records = [uafRunRecord(), passRunRecord(), sharedObjectsRunRecord()];
  await withReportPage(t, renderHtml(records), async ({ page, errors, foreignRequests }) => {
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
    await page.locator(`nav.tabs [data-tab="2"]`).click();
    const shared = page.locator(`section[data-record="shared-buffer-unplug"]`);
    const objectLanes = ["buffers", "mappings", "fences"].map((part) => `device:${CARD0}/${part}`);
    for (const lane of [...objectLanes, `device:${CARD1}/fences`]) {
      assert.ok(await shared.locator(`[data-lane="${lane}"]`).isVisible(), `lane ${lane} is visible`);
    }
    await shared.locator(`[data-lane="device:${CARD0}/fences"] [data-kind="signal"]`).click();
    const signal = (await page.locator("#details").textContent()) ?? "";
    assert.match(signal, /"errno": "ECANCELED"/, "a click on the signal shows its error");
    const leaked = shared.locator(`[data-lane="device:${CARD1}/fences"] [data-state="leaked"]`);
    assert.equal(await leaked.textContent(), `${SHARED_LABELS.syncobj} … leaked`);
    // Runs in the page: it may use nothing from this file but the type.
    const style = await leaked.evaluate((el) =>
      (globalThis as unknown as BrowserWindow).getComputedStyle(el).borderTopStyle);
    assert.equal(style, "dashed", "a leaked object is drawn with a dashed border");
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

    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 0, "the screenshot is not empty");
    assert.deepEqual(readFileSync(shot).subarray(0, 4), PNG_MAGIC);
    assert.deepEqual(errors, [], "no console or page errors");
    assert.deepEqual(foreignRequests, [], "no requests outside file://");
  });
});
