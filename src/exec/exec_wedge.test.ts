/**
 * A real libdrm/libudev client meets a wedged xe device under `vdrm exec`: the model's
 * `change` uevent with WEDGED=rebind,bus-reset reaches its libudev monitor with exactly the
 * model's properties, its ioctls fail with xe's ECANCELED, and after the model's rebind it
 * finds and opens the new card. What is asserted is what the program printed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ueventGet } from "../uapi/mod.js";
import { execScenario } from "./exec_run.js";
import { laneCalls } from "./lane_text.js";
import { buildClient, execSkipReason, factLines, loadScenario } from "./_test_exec.js";

const skip = execSkipReason();

describe("vdrm exec: a real client and a wedged device", { skip: skip ?? false }, () => {
  it("gets the WEDGED change uevent with the model's properties, ECANCELED, then the new card", async () => {
    const client = buildClient("wedge_client");
    const sc = loadScenario("scenarios/exec-wedge-client.yaml");
    const r = await execScenario({ scenario: sc, program: "client", argv: [client], stdio: "pipe" });
    assert.equal(r.stderr, "");
    assert.deepEqual(factLines(r.stdout), [
      "devices 1",
      "open /dev/dri/card0 ok",
      "version xe",
      "uevent change /dev/dri/card0 WEDGED=rebind,bus-reset",
      // every property of the event, as libudev lists them (sorted by name)
      "property ACTION=change",
      "property DEVNAME=/dev/dri/card0",
      "property DEVPATH=/devices/pci0000:00/0000:00:01.0/0000:01:00.0/drm/card0",
      "property DEVTYPE=drm_minor",
      "property MAJOR=226",
      "property MINOR=0",
      "property SEQNUM=7",
      "property SUBSYSTEM=drm",
      "property WEDGED=rebind,bus-reset",
      "wedged /dev/dri/card0",
      // xe fails every ioctl of a wedged device with ECANCELED, before anything else
      "version_wedged ECANCELED",
      "get_cap_wedged ECANCELED",
      "create_dumb_wedged ECANCELED",
      // the rebind: the old minors go; the client holds card0, so the new device gets card1
      "uevent remove /dev/dri/card0",
      "uevent remove /dev/dri/renderD128",
      "uevent add /dev/dri/renderD129",
      "uevent add /dev/dri/card1",
      "added /dev/dri/card1",
      "devices 1",
      "card /dev/dri/card1",
      "open_new ok",
      "version_new xe",
      "version_old ECANCELED",
      "close_old 0",
      "close_new 0",
    ]);
    assert.equal(r.status, 0);
    assert.equal(r.run.verdict, "pass");
    // The properties printed are the model's event's, key for key (libudev adds /dev/).
    const wedged = r.run.uevents.find((u) => ueventGet(u.event, "WEDGED") !== undefined);
    assert.ok(wedged !== undefined, "the model sent no WEDGED uevent");
    const model = wedged.event.env.map(([k, v]) => `property ${k}=${k === "DEVNAME" ? `/dev/${v}` : v}`);
    const printed = factLines(r.stdout).filter((l) => l.startsWith("property "));
    assert.deepEqual(printed, [...model].sort());
    const shown = laneCalls(r.run, "client").map((c) => `${c.op} ${c.errno ?? c.ret}`);
    assert.equal(shown.filter((s) => s.endsWith("ECANCELED")).length, 4, shown.join("; "));
  });
});
