import assert from "node:assert/strict";
import { test } from "node:test";
import { compareObservations, summarize } from "./compare.js";
import { formatComparison } from "./format.js";
import { loadFixture } from "./fixture.js";
import { hasPrimeGroup } from "./mod.js";
import { PRIME_RECORDING_PATH, RECORDING_PATH as FIXTURE, replayRecording } from "./replay.js";

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

test("the model matches Linux 6.12 on every observation of the PRIME recording, group g included", () => {
  const fixture = loadFixture(PRIME_RECORDING_PATH);
  assert.ok(hasPrimeGroup(fixture));
  const { observations, world } = replayRecording({ prime: true });
  const results = compareObservations(fixture.observations, observations);
  const counts = summarize(results);
  assert.equal(counts.mismatch + counts.missing + counts.extra, 0, formatComparison(results));
  assert.equal(counts.match, 309);
  const g = results.filter((r) => r.scn.startsWith("g_") && r.verdict === "match");
  assert.equal(g.length, 118);
  // What group g shows: the dma-buf's references, each view on a dummy page of its own after
  // the unbind, and the rebind on card1 while the dma-buf holds the old device.
  const shown = g.map((r) => r.real ?? "");
  assert.ok(shown.includes("call fdinfo dma-buf fd -> ok " +
    "{pos=0,flags=02000002,size=16384,count=2,exp_name=drm,name=rk-prime}"));
  assert.ok(shown.includes("mem read dmabuf map (drm fd closed) -> ok first=0x67140c00 match=0 zero=0 ff=0"));
  assert.ok(shown.includes("minors (after rebind, dma-buf fd and its mapping still held): " +
    "card1=226:1@0000:02:00.0"));
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
