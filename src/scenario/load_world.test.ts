import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorsOf, scenarioFrom } from "./_testing.js";
import { runScenario } from "./run.js";

function world(devices: readonly string[], slots?: readonly number[], steps = "[{ sleep: 1 }]"): string {
  const devs = devices.map((d) => `    - { bdf: "${d}", driver: vdisp }\n`).join("");
  return `world:\n  devices:\n${devs}${slots ? `  slots: [${slots.join(", ")}]\n` : ""}programs:\n  a: ${steps}\n`;
}

describe("scenario loading: the machine must be one the PCI model builds", () => {
  it("refuses two cards at one address and a slot listed twice", () => {
    assert.deepEqual(errorsOf(world(["0000:01:00.0", "0000:01:00.0"])), ["test.yaml:4:14: world.devices[2].bdf: 0000:01:00.0 is taken by world.devices[1]; two cards cannot share an address"]);
    assert.deepEqual(errorsOf(world(["0000:01:00.0"], [3, 4, 3])), ["test.yaml:4:17: world.slots[3]: slot 3 is already listed (world.slots[1])"]);
  });

  it("refuses a card on a root port's address, whether the port is for a slot or for a card behind it", () => {
    const message = (bdf: string, n: number) =>
      `${bdf} is on root port 0000:00:0${n}.0, which holds hot-plug slot ${n}; put the card behind it at 0000:0${n}:00.0, or on bus 00 at a device number no slot uses`;
    assert.deepEqual(errorsOf(world(["0000:01:00.0", "0000:00:01.0"])), [`test.yaml:4:14: world.devices[2].bdf: ${message("0000:00:01.0", 1)}`]);
    assert.deepEqual(errorsOf(world(["0000:00:02.3"], [2])), [`test.yaml:3:14: world.devices[1].bdf: ${message("0000:00:02.3", 2)}`]);
  });

  it("refuses a device number other than 00 behind a port, a bus without a root port, another domain", () => {
    assert.deepEqual(errorsOf(world(["0000:01:02.0", "0000:40:00.0", "0001:01:00.0"])), [
      "test.yaml:3:14: world.devices[1].bdf: 0000:01:02.0: behind root port 01 only device 00 exists; write 0000:01:00.0",
      "test.yaml:4:14: world.devices[2].bdf: 0000:40:00.0: bus 40 has no root port (cards behind a hot-plug slot sit on buses 01..1f)",
      "test.yaml:5:14: world.devices[3].bdf: 0001:01:00.0: the model has one PCI domain, 0000",
    ]);
    assert.deepEqual(errorsOf(world(["0000:01:20.0"])), ["test.yaml:3:14: world.devices[1].bdf: 0000:01:20.0 is not a bus address (device numbers go up to 1f)"]);
  });

  it("accepts cards on bus 00 away from the ports, several functions behind a port, and a slot that holds a card", () => {
    const present = ["0000:00:05.0", "0000:02:00.0", "0000:02:00.1"].map((b) => `    - { bdf: "${b}", present: true, driver: vdisp }\n`).join("");
    const run = runScenario(scenarioFrom(`${world(["0000:00:05.0", "0000:02:00.0", "0000:02:00.1"], [2, 3])}checks:\n  devices:\n${present}`));
    assert.equal(run.verdict, "pass");
    assert.deepEqual(run.checks.map((c) => [c.what, c.met]), [
      ["device 0000:00:05.0 present", true], ["device 0000:00:05.0 driver vdisp", true],
      ["device 0000:02:00.0 present", true], ["device 0000:02:00.0 driver vdisp", true],
      ["device 0000:02:00.1 present", true], ["device 0000:02:00.1 driver vdisp", true],
    ]);
  });

  it("plug-card needs a hot-plug slot; pull-card needs a card that some device or plug-card puts there", () => {
    const steps = `
    - plug-card: "0000:05:00.0"
      driver: vdisp
    - pull-card: "0000:03:00.0"
    - pull-card: "0000:00:05.0"
    - pull-card: "0000:02:00.0"
    - plug-card: "0000:02:00.0"
      driver: vdisp
    - pull-card: "0000:01:00.0"`;
    assert.deepEqual(errorsOf(world(["0000:01:00.0", "0000:00:05.0"], [2, 3], steps)), [
      "test.yaml:8:18: program a, step 1 plug-card: no hot-plug slot holds 0000:05:00.0: add 5 to world.slots",
      "test.yaml:10:18: program a, step 2 pull-card: no card is ever at 0000:03:00.0 (no device of world.devices and no plug-card step puts one there)",
      "test.yaml:11:18: program a, step 3 pull-card: 0000:00:05.0 is on bus 00, not behind a hot-plug slot",
    ]);
  });

  it("a card pulled or plugged twice in a race with pciehp gives an outcome, never a crash", () => {
    const sc = scenarioFrom(`
world:
  slots: [2]
programs:
  a:
    - pull-card: "0000:01:00.0"
    - pull-card: "0000:01:00.0"
    - plug-card: "0000:02:00.0"
      driver: vdisp
    - plug-card: "0000:02:00.0"
      driver: vdisp
    - pull-card: "0000:02:00.0"
`);
    const allowed = new Set([
      "ok",
      "the card at 0000:01:00.0 was already pulled",
      "no card at 0000:01:00.0",
      "the slot of 0000:02:00.0 is not empty",
      "the card plugged at 0000:02:00.0 is not in place yet (pciehp has not handled it)",
    ]);
    for (let seed = 1; seed <= 20; seed++) {
      const run = runScenario(sc, { seed });
      for (const s of run.steps) assert.ok(allowed.has(s.outcome.status === "error" ? s.outcome.message : s.outcome.status), `seed ${seed}: ${JSON.stringify(s.outcome)}`);
      assert.equal(run.verdict, "pass", `seed ${seed}: no step has an expectation`);
    }
  });
});
