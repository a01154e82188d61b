import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseKernelUevent } from "../uapi/mod.js";
import { errorsOf, scenarioFrom } from "./_testing.js";
import { checkUevents } from "./checks.js";
import { runScenario } from "./run.js";

const CARD = "/devices/pci0000:00/0000:00:01.0/0000:01:00.0/drm/card0";
const SEEN = [
  `add@${CARD}|ACTION=add|DEVPATH=${CARD}|SUBSYSTEM=drm|MAJOR=226|MINOR=0|DEVNAME=dri/card0|DEVTYPE=drm_minor|SEQNUM=7`,
  `change@${CARD}|ACTION=change|DEVPATH=${CARD}|SUBSYSTEM=drm|HOTPLUG=1|CONNECTOR=32|MAJOR=226|MINOR=0|DEVNAME=dri/card0|DEVTYPE=drm_minor|SEQNUM=8`,
  `remove@${CARD}|ACTION=remove|DEVPATH=${CARD}|SUBSYSTEM=drm|MAJOR=226|MINOR=0|DEVNAME=dri/card0|DEVTYPE=drm_minor|SEQNUM=9`,
].map(parseKernelUevent);

function uevents(yaml: string) {
  return scenarioFrom(`programs: { a: [{ sleep: 1 }] }\nchecks:\n  uevents:\n${yaml}`).checks.uevents;
}

describe("uevent checks", () => {
  it("reports every check, met or not, and for a miss what came closest", () => {
    const results = checkUevents(uevents(`    - { ACTION: add, DEVNAME: dri/card1 }
    - { ACTION: change, HOTPLUG: 1 }
    - { ACTION: add, DEVNAME: dri/card0 }
    - { ACTION: remove, SUBSYSTEM: pci }
    - { ACTION: remove, SUBSYSTEM: drm }
`), SEEN);
    assert.deepEqual(results.map((r) => [r.met, r.what, r.detail]), [
      [false, "uevent ACTION=add DEVNAME=dri/card1", `not seen; closest SEQNUM=7 add ${CARD}: DEVNAME=dri/card0 (not dri/card1)`],
      [true, "uevent ACTION=change HOTPLUG=1", "SEQNUM=8"],
      [false, "uevent ACTION=add DEVNAME=dri/card0", "seen only before the previous check's event, at SEQNUM=7"],
      [false, "uevent ACTION=remove SUBSYSTEM=pci", `not seen after SEQNUM=8; closest SEQNUM=9 remove ${CARD}: SUBSYSTEM=drm (not pci)`],
      [true, "uevent ACTION=remove SUBSYSTEM=drm", "SEQNUM=9"],
    ]);
  });

  it("lacks: the event must not have these keys", () => {
    const results = checkUevents(uevents(`    - { ACTION: change, HOTPLUG: 1, lacks: [CONNECTOR] }
    - { ACTION: remove, lacks: [DRIVER, MODALIAS] }
`), SEEN);
    assert.deepEqual(results.map((r) => [r.met, r.what, r.detail]), [
      [false, "uevent ACTION=change HOTPLUG=1 lacks CONNECTOR", `not seen; closest SEQNUM=8 change ${CARD}: has CONNECTOR=32`],
      [true, "uevent ACTION=remove lacks DRIVER,MODALIAS", "SEQNUM=9"],
    ]);
  });

  it("order: the listed keys come in this order, others between", () => {
    const results = checkUevents(uevents(`    - { ACTION: change, order: [HOTPLUG, CONNECTOR, MAJOR, MINOR, DEVNAME, SEQNUM] }
    - { ACTION: remove, order: [DEVNAME, MAJOR, MINOR] }
    - { ACTION: remove, order: [MAJOR, WEDGED] }
`), SEEN);
    assert.deepEqual(results.map((r) => [r.met, r.detail]), [
      [true, "SEQNUM=8"],
      [false, `not seen after SEQNUM=8; closest SEQNUM=9 remove ${CARD}: keys in the order MAJOR,MINOR,DEVNAME`],
      [false, `not seen after SEQNUM=8; closest SEQNUM=9 remove ${CARD}: no WEDGED (for the order)`],
    ]);
  });

  it("a number is compared as written: `PCI_CLASS: 038000` is not 38000", () => {
    assert.deepEqual(uevents("    - { PCI_CLASS: 038000, MINOR: 0 }\n"), [{ keys: { PCI_CLASS: "038000", MINOR: "0" }, lacks: [], order: [] }]);
  });

  it("refuses keys that are not uevent keys, lacks or order, and contradictions", () => {
    assert.deepEqual(errorsOf(`programs: { a: [{ sleep: 1 }] }
checks:
  uevents:
    - { ACTION: change, lack: [CONNECTOR] }
    - { ACTION: change, CONNECTOR: 1, lacks: [CONNECTOR] }
    - { ACTION: change, order: [ACTION] }
    - { ACTION: change, lacks: [connector] }
`), [
      'test.yaml:4:31: checks.uevents[1].lack: unknown key "lack" (did you mean "lacks"?); a uevent check has upper-case uevent keys, lacks and order',
      "test.yaml:5:46: checks.uevents[2].lacks: CONNECTOR is both required and lacking",
      "test.yaml:6:32: checks.uevents[3].order: order lists at least two keys",
      "test.yaml:7:33: checks.uevents[4].lacks[1]: uevent keys are upper case, e.g. CONNECTOR",
    ]);
  });

  it("the unbind event lacks DRIVER and MODALIAS, as the kernel strips them", () => {
    const run = runScenario(scenarioFrom(`programs:
  admin:
    - sysfs-write: /sys/bus/pci/drivers/vdisp/unbind
      value: "0000:01:00.0"
checks:
  uevents:
    - { ACTION: unbind, SUBSYSTEM: pci, lacks: [DRIVER, MODALIAS], order: [ACTION, DEVPATH, SUBSYSTEM, PCI_SLOT_NAME, SEQNUM] }
`));
    assert.equal(run.verdict, "pass", JSON.stringify(run.checks));
  });
});
