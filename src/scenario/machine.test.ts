import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { World } from "../world/mod.js";
import { WorldMachine } from "./machine.js";

/** Runs `acts` as one program on a FIFO-scheduled world: it goes on until it ends, pciehp waits. */
function actsBeforePciehp(acts: (m: WorldMachine) => Generator<unknown, (string | null)[], unknown>): (string | null)[] {
  const world = new World({ seed: 1, schedule: "fifo", devices: [{ bdf: "0000:01:00.0", driver: "vdisp" }] });
  world.bus.addRootPort(2);
  world.bootSync();
  const machine = new WorldMachine(world);
  let results: (string | null)[] = [];
  world.spawnProgram("hand", function* () {
    results = yield* acts(machine);
  });
  world.run();
  world.shutdownSync();
  return results;
}

describe("WorldMachine", () => {
  it("pullCard() of a card already pulled, before pciehp handled it, is an error, not an assertion", () => {
    const results = actsBeforePciehp(function* (m) {
      return [yield* m.pullCard("0000:01:00.0"), yield* m.pullCard("0000:01:00.0")];
    });
    assert.deepEqual(results, [null, "the card at 0000:01:00.0 was already pulled"]);
  });

  it("plugCard() twice into one slot, or pullCard() of a card pciehp has not placed yet, is an error", () => {
    const results = actsBeforePciehp(function* (m) {
      return [yield* m.plugCard("0000:02:00.0", "vdisp"), yield* m.plugCard("0000:02:00.0", "vdisp"), yield* m.pullCard("0000:02:00.0")];
    });
    assert.deepEqual(results, [null, "the slot of 0000:02:00.0 is not empty", "the card plugged at 0000:02:00.0 is not in place yet (pciehp has not handled it)"]);
  });
});
