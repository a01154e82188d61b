import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runScenario } from "./run.js";
import { scenarioFrom } from "./_testing.js";

describe("physical steps", () => {
  it("pulling a card twice, before or after pciehp has emptied the slot, is an error outcome of the step, not a crash", () => {
    for (const between of ["", "    - sleep: 2s\n"]) {
      for (let seed = 1; seed <= 5; seed++) {
        const run = runScenario(scenarioFrom(`programs:\n  user:\n    - pull-card: "0000:01:00.0"\n      expect: ok\n${between}    - pull-card: "0000:01:00.0"\n`), { seed });
        const second = run.steps.at(-1)!;
        assert.deepEqual(second.outcome, { status: "error", message: "no card at 0000:01:00.0: slot 1 is empty (pulled out already?)" }, `seed ${seed}`);
        assert.equal(run.verdict, "expectation", `seed ${seed}`);
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
