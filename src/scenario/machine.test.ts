import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { World } from "../world/mod.js";
import { WorldMachine } from "./machine.js";
import { runScenario } from "./run.js";
import { scenarioFrom } from "./_testing.js";

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

describe("physical steps", () => {
  it("pulling a card twice, before or after pciehp has emptied the slot, is an error outcome of the step, not a crash", () => {
    for (const between of ["", "    - sleep: 2s\n"]) {
      for (let seed = 1; seed <= 5; seed++) {
        const run = runScenario(scenarioFrom(`programs:\n  user:\n    - pull-card: "0000:01:00.0"\n      expect: ok\n${between}    - pull-card: "0000:01:00.0"\n`), { seed });
        const second = run.steps.at(-1)!;
        assert.deepEqual(second.outcome, { status: "error", message: "the card at 0000:01:00.0 was already pulled" }, `seed ${seed}`);
        assert.equal(run.verdict, "pass", `seed ${seed}: a step without expect does not fail the run`);
        assert.deepEqual(run.findings, [], `seed ${seed}`);
        assert.equal(run.world.bus.device("0000:01:00.0"), undefined, `seed ${seed}: pciehp removed the device once`);
      }
    }
  });

  it("a card pulled from a slot whose root port was removed leaves; nothing handles it, and a rescan finds an empty slot", () => {
    const run = runScenario(scenarioFrom(`
programs:
  admin:
    - sysfs-write: /sys/bus/pci/devices/0000:00:01.0/remove
      value: 1
      expect: ok
    - pull-card: "0000:01:00.0"
      expect: ok
    - sysfs-write: /sys/bus/pci/rescan
      value: 1
      expect: ok
    - ls: /sys/bus/pci/devices
      expect: { names: ["0000:00:01.0"] }
    - sysfs-read: /sys/bus/pci/slots/1/power
      expect: { text: "0" }
`));
    assert.equal(run.verdict, "pass", run.steps.filter((s) => s.met === false).map((s) => s.why).join("; "));
    assert.deepEqual(run.findings, []);
  });
});
