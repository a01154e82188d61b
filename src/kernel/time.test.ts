import assert from "node:assert/strict";
import { test } from "node:test";
import {
  msFromUs,
  secondsFromTicks,
  ticksFromMs,
  ticksFromUs,
  usFrom,
  usFromTicks,
} from "./time.js";

test("one tick is one microsecond: ticksFromUs() and usFromTicks() are inverse", () => {
  for (const us of [0, 1, 250, 1_000_000]) {
    assert.equal(ticksFromUs(us), us);
    assert.equal(usFromTicks(ticksFromUs(us)), us);
  }
});

test("ticksFromMs() converts a syscall's milliseconds, fractions included, to whole ticks", () => {
  assert.deepEqual(
    [0, 1, 0.25, 1.0004, 120_000].map(ticksFromMs),
    [0, 1000, 250, 1000, 120_000_000],
  );
  assert.equal(
    ticksFromMs(msFromUs(250)),
    250,
    "a scenario's 250us reaches poll(2) as 0.25 ms and waits 250 ticks",
  );
});

test("usFrom() converts every scenario unit; secondsFromTicks() gives dmesg's seconds", () => {
  assert.deepEqual([usFrom(3, "us"), usFrom(1.5, "ms"), usFrom(2, "s")], [3, 1500, 2_000_000]);
  assert.equal(secondsFromTicks(1_000_123), 1.000123);
});
