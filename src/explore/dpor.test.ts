/**
 * The race analysis of DPOR on hand-made executions: only dependent transitions of different
 * processes that nothing else orders race, and the reversal is asked at the choice point
 * before the first one, with the processes that can start it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { races } from "./dpor.js";
import type { Transition } from "./record.js";

function tr(proc: number, decision: number, reads: number[], writes: number[], enabler = -1): Transition {
  return { proc, timer: false, decision, reads, writes, enabler, dueFrom: -1, fn: "f" };
}

describe("races()", () => {
  it("two transitions on different objects do not race", () => {
    assert.deepEqual(races([tr(1, 0, [], [10]), tr(2, -1, [], [11])]), []);
  });

  it("two reads of one object do not race; a read and a write do", () => {
    assert.deepEqual(races([tr(1, 0, [10], []), tr(2, -1, [10], [])]), []);
    assert.deepEqual(races([tr(1, 0, [10], []), tr(2, -1, [], [10])]), [{ decision: 0, initials: [2] }]);
  });

  it("a transition that wakes or spawns the other's task orders them: no race", () => {
    assert.deepEqual(races([tr(1, 0, [], [10]), tr(2, -1, [], [10], 0)]), []);
  });

  it("a race's reversal starts with the processes that nothing before them in it orders", () => {
    // 1 writes x; 2 writes y; 3 reads x and y: 3 races with 1 and with 2. To put 3 before 1,
    // 2 must run first (3 reads what 2 wrote); to put 3 before 2, 3 itself runs first.
    const t = [tr(1, 0, [], [10]), tr(2, 1, [], [11]), tr(3, -1, [10, 11], [])];
    assert.deepEqual(races(t), [
      { decision: 0, initials: [2] },
      { decision: 1, initials: [3] },
    ]);
  });

  it("a race behind another one of the same object is not asked again", () => {
    // 1, 2 and 3 write x in turn: 1-2 and 2-3 race; 1-3 is ordered through 2.
    const t = [tr(1, 0, [], [10]), tr(2, 1, [], [10]), tr(3, -1, [], [10])];
    assert.deepEqual(races(t), [{ decision: 0, initials: [2] }, { decision: 1, initials: [3] }]);
  });
});
