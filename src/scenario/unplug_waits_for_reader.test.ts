/**
 * The built-in scenario unplug-waits-for-reader, over many seeds: drm_dev_unplug() of device A
 * waits for a drm_dev_enter() section on device B, because every DRM device shares
 * drm_unplug_srcu (R11, R96). The order is read from the step times and the uevents.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ueventGet } from "../uapi/mod.js";
import { loadScenarioFile } from "./load.js";
import { runScenario } from "./run.js";

const FILE = fileURLToPath(
  new URL("../../scenarios/unplug-waits-for-reader.yaml", import.meta.url),
);
const HOLD_TICKS = 5000; // duration_ns 5_000_000 at 1 µs a tick

test("unplug of device A returns only after device B's reader left, whatever the schedule (R11, R96)", () => {
  const loaded = loadScenarioFile(FILE);
  assert.ok(loaded.ok);
  for (let seed = 1; seed <= 12; seed++) {
    const run = runScenario(loaded.scenario, { seed });
    assert.equal(
      run.verdict,
      "pass",
      `seed ${seed}: ${run.steps
        .filter((s) => s.met === false)
        .map((s) => s.why)
        .join("; ")}`,
    );
    const hold = run.steps.find(
      (s) => s.program === "holder" && s.text.includes("DRM_IOCTL_VTEST_HOLD_ENTER"),
    );
    const remove = run.steps.find((s) => s.program === "admin" && s.text.includes("/remove"));
    assert.ok(hold !== undefined && remove !== undefined);
    assert.ok(
      hold.endTick - hold.startTick >= HOLD_TICKS,
      `seed ${seed}: the ioctl held ${hold.endTick - hold.startTick} ticks`,
    );
    assert.ok(remove.startTick < hold.endTick, `seed ${seed}: the removal started during the hold`);
    assert.ok(remove.endTick >= hold.endTick, `seed ${seed}: the removal returned after the hold`);
    const cardGone = run.uevents.find(
      (u) => u.event.action === "remove" && ueventGet(u.event, "DEVNAME") === "dri/card0",
    );
    assert.ok(
      cardGone !== undefined && cardGone.tick >= hold.endTick,
      `seed ${seed}: A's card0 went after B's reader left`,
    );
    assert.equal(hold.calls.length, 1, "one ioctl, one record");
    assert.equal(hold.calls[0]!.args, "3, DRM_IOCTL_VTEST_HOLD_ENTER");
  }
});
