/**
 * The report of a real scenario run, the broken-driver one, in headless Chromium: the task
 * and device lanes are there, and the use-after-free mark shows its access, free and
 * allocation sites. Leaves out/scenario-report-screenshot.png. (It lives in the report layer,
 * which may import scenarios; the scenario layer may not import the report.)
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { loadScenarioFile, replayCommand, runScenario } from "../scenario/mod.js";
import { PNG_MAGIC, screenshotPath, TEST_TIMEOUT_MS, withReportPage } from "./_browser.js";
import { renderHtml, worldRunRecord } from "./mod.js";

test("the report of hotunplug-lateclose-devm shows the lanes and the use-after-free", { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const loaded = loadScenarioFile(fileURLToPath(new URL("../../scenarios/hotunplug-lateclose-devm.yaml", import.meta.url)));
  assert.ok(loaded.ok);
  const run = runScenario(loaded.scenario);
  const html = renderHtml([worldRunRecord(run.world, { title: run.scenario.name, verdict: run.verdict, replay: replayCommand(run) })]);
  const shot = screenshotPath("scenario-report-screenshot.png");
  await withReportPage(t, html, async ({ page, errors, foreignRequests }) => {
    const record = page.locator(`section[data-record="hotunplug-lateclose-devm"]`);
    assert.ok(await record.isVisible());
    for (const lane of ["task:app", "task:admin", "uevents"]) {
      assert.ok(await record.locator(`[data-lane="${lane}"]`).isVisible(), `lane ${lane} is visible`);
    }
    // The broken driver's drm_device is devm memory: it, its buffer and its mappings belong to
    // the PCI device (the lane key is the pci_dev's label, "pci_dev#<id> (0000:01:00.0)").
    const pci = `[data-lane^="device:pci_dev#"][data-lane$=" (0000:01:00.0)"]`;
    assert.ok(await record.locator(pci).first().isVisible());
    const buffers = record.locator(`[data-lane^="device:pci_dev#"][data-lane$=" (0000:01:00.0)/buffers"]`);
    assert.ok(await buffers.first().locator(`[data-kind="alloc"]`, { hasText: "gem 16384B" }).isVisible());
    assert.ok((await record.locator(`[data-lane="uevents"] [data-kind="uevent"]`).count()) >= 10);
    const uaf = record.locator(`[data-lane="task:app"] [data-kind="finding"]`);
    assert.ok((await uaf.count()) >= 1, "use-after-free marks on the app lane");
    await record.locator(".findings-list a", { hasText: "use-after-free" }).first().click();
    const details = (await page.locator("#details").textContent()) ?? "";
    assert.match(details, /use-after-free/);
    assert.match(details, /"fn": "devres_release_all"/, "the free site");
    assert.match(details, /"fn": "vdisp_devm_probe"/, "the allocation site");
    assert.match(details, /"fn": "drm_ioctl"/, "the access site");
    await page.screenshot({ path: shot, fullPage: true });
    assert.deepEqual(readFileSync(shot).subarray(0, 4), PNG_MAGIC);
    assert.deepEqual(errors, []);
    assert.deepEqual(foreignRequests, []);
  });
});
