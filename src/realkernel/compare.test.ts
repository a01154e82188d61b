import assert from "node:assert/strict";
import { test } from "node:test";
import { compareObservations, summarize } from "./compare.js";
import { formatComparison } from "./format.js";
import { loadFixture } from "./fixture.js";
import { RECORDING_PATH as FIXTURE, replayRecording } from "./replay.js";

test("the model matches Linux 6.12 on every observation of the bochs unplug recording", () => {
  const fixture = loadFixture(FIXTURE);
  assert.match(fixture.kernel, /^6\.12/);
  const { observations, world } = replayRecording();
  const results = compareObservations(fixture.observations, observations);
  const counts = summarize(results);
  assert.equal(counts.mismatch + counts.missing + counts.extra, 0, formatComparison(results));
  assert.equal(counts.match + counts["not-modelled"], fixture.observations.length);
  // The only difference allowed: fake mmap offsets on live files, shifted by fbdev's buffer.
  for (const r of results.filter((x) => x.verdict === "not-modelled")) assert.match(r.real ?? "", /DRM_IOCTL_MODE_MAP_DUMB -> 0/);
  assert.deepEqual(world.sim.findings, []);
});

test("the fixture's modelled uevents keep the kernel's SEQNUM order", () => {
  const fixture = loadFixture(FIXTURE);
  for (let i = 1; i < fixture.seqnums.length; i++) assert.ok(fixture.seqnums[i]! > fixture.seqnums[i - 1]!);
});

test("compareObservations() reports a changed errno as a mismatch", () => {
  const real = [{ kind: "call", scn: "b", op: "ioctl", what: "X", ok: false, ret: -1, errno: "ENODEV", fields: {} }] as const;
  const model = [{ kind: "call", scn: "b", op: "ioctl", what: "X", ok: false, ret: -1, errno: "EIO", fields: {} }] as const;
  assert.equal(compareObservations(real, model)[0]?.verdict, "mismatch");
});
