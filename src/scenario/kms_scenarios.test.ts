/**
 * The built-in KMS scenarios, run as `vdrm run` runs them: a non-blocking mode set in flight
 * when the card is pulled (its event sent by the shutdown's vblank off, R65; TEST_ONLY then
 * ENODEV, R40), TEST_ONLY and a page flip after unplug under each profile (D3, D4, R42, R64),
 * the broken vdisp-noenter caught touching the hardware after unplug, a lease holder when the
 * device goes (both profiles), a card plugged back while the old device is held (R31), and a
 * display pulled out of and plugged into a card (R93).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatUeventRaw } from "../uapi/mod.js";
import { run, unmet as why } from "./_test_builtin.js";
import type { ScenarioRun } from "./run.js";

/** The result fields of each `read` step of `program`. */
function reads(r: ScenarioRun, program: string) {
  return r.steps
    .filter((s) => s.program === program && s.step.op.name === "read")
    .map((s) => (s.outcome.status === "ok" ? s.outcome.fields : s.outcome.status));
}

describe("kms-nonblocking-commit-unplug", () => {
  it("passes: the flip-complete event is read after the removal, with the sequence of 10 s of vblanks; no finding", () => {
    const r = run("kms-nonblocking-commit-unplug");
    assert.equal(r.verdict, "pass", why(r));
    assert.deepEqual(r.findings, []);
    const [event] = reads(r, "compositor");
    assert.ok(typeof event === "object");
    assert.deepEqual(event["types"], [2]);
    assert.deepEqual(event["crtc_id"], [34]);
    assert.ok((event["sequence"] as number[])[0]! >= 599, "counted on until the CRTC's disable");
  });
});

describe("kms-commit-after-unplug-noenter", () => {
  it("is caught: the commit's worker writes the scanout register after the unplug", () => {
    const r = run("kms-commit-after-unplug-noenter");
    assert.equal(r.verdict, "pass", why(r)); // the finding the file declares (`vdrm run` says caught)
    const kinds = r.findings.map((f) => f.kind);
    assert.ok(kinds.includes("hardware-after-unplug"), kinds.join(", "));
    const f = r.findings.find((x) => x.kind === "hardware-after-unplug");
    assert.ok(f !== undefined && f.kind === "hardware-after-unplug");
    assert.deepEqual([f.device, f.register, f.mode], ["0000:01:00.0", "0x0104", "write"]);
    assert.match(f.site.task, /commit_work/);
  });
});

describe("kms-test-only-after-unplug", () => {
  it("mainline: TEST_ONLY, PAGE_FLIP and GETCONNECTOR are ENODEV after the unbind", () => {
    const r = run("kms-test-only-after-unplug");
    assert.equal(r.verdict, "pass", why(r));
    assert.equal(reads(r, "compositor").length, 1, "only the event before the unbind");
  });

  it("uapi-doc: they succeed, the faked flip's event comes at once, the connector reads disconnected", () => {
    const r = run("kms-test-only-after-unplug-uapi-doc");
    assert.equal(r.verdict, "pass", why(r));
    const [before, after] = reads(r, "compositor");
    assert.ok(typeof before === "object" && typeof after === "object");
    assert.deepEqual([before["user_data"], after["user_data"]], [[7n], [8n]]);
  });
});

/** The uevents of a run in the fixture form, those whose form matches `re`. */
function uevents(r: ScenarioRun, re: RegExp): string[] {
  return r.uevents.map((u) => formatUeventRaw(u.event)).filter((u) => re.test(u));
}

describe("kms-lease-unplug", () => {
  it("mainline: LEASE=1 when the first lessee's file closes (these bytes); after the unbind every lease ioctl and the lessee's flip are ENODEV", () => {
    const r = run("kms-lease-unplug");
    assert.equal(r.verdict, "pass", why(r));
    assert.deepEqual(r.findings, []);
    const card = "/devices/pci0000:00/0000:00:01.0/0000:01:00.0/drm/card0";
    assert.deepEqual(uevents(r, /LEASE=/), [
      `change@${card}|ACTION=change|DEVPATH=${card}|SUBSYSTEM=drm|LEASE=1|MAJOR=226|MINOR=0|DEVNAME=dri/card0|DEVTYPE=drm_minor|SEQNUM=8`,
    ], "one: the second lessee's close comes after the card is gone");
    assert.equal(reads(r, "compositor").length, 1, "only the flip before the unbind");
  });

  it("uapi-doc: the lessee's flip is faked with its event, its connector reads disconnected; lease ioctls stay ENODEV", () => {
    const r = run("kms-lease-unplug-uapi-doc");
    assert.equal(r.verdict, "pass", why(r));
    const [before, after] = reads(r, "compositor");
    assert.ok(typeof before === "object" && typeof after === "object");
    assert.deepEqual([before["user_data"], after["user_data"]], [[7n], [8n]]);
  });
});

describe("kms-replug-next-minor", () => {
  it("passes: the card plugged back while the old device is held gets card1 and renderD129 (R31), its connector Virtual-2", () => {
    const r = run("kms-replug-next-minor");
    assert.equal(r.verdict, "pass", why(r));
    assert.deepEqual(r.findings, []);
    assert.deepEqual(uevents(r, /^add@.*\/drm\/.*DEVNAME=/).map((u) => /DEVNAME=([^|]+)/.exec(u)?.[1]), ["dri/renderD129", "dri/card1"]);
  });
});

describe("kms-display-hotplug", () => {
  it("passes: each display change is one change uevent, HOTPLUG=1 CONNECTOR=32 in the kernel's key order (R93)", () => {
    const r = run("kms-display-hotplug");
    assert.equal(r.verdict, "pass", why(r));
    const card = "/devices/pci0000:00/0000:00:01.0/0000:01:00.0/drm/card0";
    const keys = `ACTION=change|DEVPATH=${card}|SUBSYSTEM=drm|HOTPLUG=1|CONNECTOR=32|MAJOR=226|MINOR=0|DEVNAME=dri/card0|DEVTYPE=drm_minor`;
    assert.deepEqual(uevents(r, /HOTPLUG=/), [`change@${card}|${keys}|SEQNUM=8`, `change@${card}|${keys}|SEQNUM=9`]);
  });
});
