/**
 * Flips and vblank events on the HTML timeline, read from the page `vdrm run --html` writes:
 * each card's flips and the flip-complete events it sent are marks on its own device lane.
 * In compositor-robust-unplug the pulled card's marks end before its remove uevent, while the
 * other card's go on after it; in
 * compositor-naive-unplug-uapi-doc the flips after the unplug are drawn as faked.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { reportLanes, type HtmlItem, type HtmlLane } from "./_html_lanes.js";

function deviceLane(lanes: readonly HtmlLane[], label: string): HtmlLane {
  const lane = lanes.find((l) => l.classes.includes("lane-device") && l.label === label);
  assert.ok(lane !== undefined, `no device ${label}: ${lanes.map((l) => l.label).join(", ")}`);
  return lane;
}

function marks(lane: HtmlLane, tone: string): HtmlItem[] {
  return lane.items.filter((i) => i.kind === "display" && i.classes.includes(`tone-${tone}`));
}

test("compositor-robust-unplug: flips and flip-complete events on each card's lane; card1's go on after card0's removal", () => {
  const lanes = reportLanes("compositor-robust-unplug.yaml");
  const card0 = deviceLane(lanes, "vdisp_device [drm_device#1 (card0)]");
  const card1 = deviceLane(lanes, "bochs_device [drm_device#2 (card1)]");
  for (const lane of [card0, card1]) {
    const flips = marks(lane, "flip");
    const events = marks(lane, "vblank-event");
    assert.ok(flips.length >= 10 && events.length >= 10, `${lane.label}: ${flips.length} flips, ${events.length} events`);
    assert.match(flips[0]!.title, /^flip on CRTC 34 of /);
    assert.match(flips[1]!.title, /\ncommit \d+: FB \d+ on plane 33$/);
    assert.match(events[0]!.title, /\nflip-complete event, sequence \d+, user_data 1, to drm_file card\d \(pid 1000\)/);
    assert.equal(events[0]!.details["what"], "vblank-event");
    assert.equal(marks(lane, "flip-faked").length, 0, "mainline fakes nothing");
  }
  const uevents = lanes.find((l) => l.key === "uevents")!;
  const removed = uevents.items.find((i) => /^remove@.*\/drm\/card0\n/.test(i.title));
  assert.ok(removed !== undefined);
  const lastFlip0 = Math.max(...marks(card0, "flip").map((m) => m.left));
  const lastEvent0 = Math.max(...marks(card0, "vblank-event").map((m) => m.left));
  assert.ok(lastFlip0 < removed.left, "card0 is not flipped after its removal");
  // The flip in flight at the pull would get its event at remove()'s vblank off (R65), 10 s
  // later; the compositor closed the file at its last frame, before, so the event is dropped.
  assert.ok(lastEvent0 < removed.left, "no event after the removal: the file was closed first");
  const later = marks(card1, "flip").filter((m) => m.left > removed.left);
  assert.ok(later.length >= 40, `card1 flips ${later.length} times after card0's removal`);
});

test("compositor-naive-unplug-uapi-doc: the flips after the unplug are drawn as faked on the pulled card's lane", () => {
  const lanes = reportLanes("compositor-naive-unplug-uapi-doc.yaml");
  const card0 = deviceLane(lanes, "vdisp_device [drm_device#1 (card0)]");
  const faked = marks(card0, "flip-faked");
  assert.ok(faked.length >= 40, `${faked.length} faked flips`);
  assert.match(faked[0]!.title, /\nfaked: the device is unplugged, nothing changes$/);
  const firstFaked = Math.min(...faked.map((m) => m.left));
  assert.ok(marks(card0, "flip").every((m) => m.left < firstFaked), "real flips only before");
  const card1 = deviceLane(lanes, "bochs_device [drm_device#2 (card1)]");
  assert.equal(marks(card1, "flip-faked").length, 0);
  assert.ok(marks(card1, "vblank-event").length >= 60, "60 frames, each with its event");
});
