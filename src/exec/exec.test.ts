/**
 * Real programs against the model: the project's libdrm + libudev client and libdrm's own
 * `drmdevice` run under `vdrm exec` (umockdev's preload, vdrm's shim) while the model's
 * administrator removes the device. What is asserted is what the program itself printed:
 * errno names, device numbers, uevent properties, its exit status.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { execScenario } from "./exec_run.js";
import { laneCalls } from "./lane_text.js";
import { buildClient, execSkipReason, factLines, loadScenario } from "./_test_exec.js";

const skip = execSkipReason();

describe("vdrm exec with a real libdrm/libudev client", { skip: skip ?? false }, () => {
  it("finds, opens and uses the device, then sees the remove: ENODEV, close 0, remove uevents", async () => {
    const client = buildClient("unplug_client");
    const sc = loadScenario("scenarios/exec-unplug-client.yaml");
    const r = await execScenario({ scenario: sc, program: "client", argv: [client], stdio: "pipe" });
    assert.equal(r.stderr, "");
    assert.deepEqual(factLines(r.stdout), [
      "devices 1",
      "pci 1b36:00f0",
      "card /dev/dri/card0",
      "fstat 226:0",
      "version vdisp 1.0.0",
      "create_dumb 0",
      "dumb handle=1 pitch=256 size=16384",
      "map_dumb 0",
      "mmap ok",
      "mapped ab ab",
      // the model's own events, with its SEQNUMs: the connector goes first, then the minor
      "uevent remove - seqnum=8 devtype=drm_connector",
      "uevent remove /dev/dri/card0 seqnum=9 devtype=drm_minor",
      "waiting removed",
      "version_after ENODEV",
      "map_dumb_after ENODEV",
      // vdisp's buffers are device memory: the zapped mapping faults in the zeroed dummy page
      "mapped_after 00 00",
      "written_after 55",
      "mmap_after ENODEV",
      "munmap 0",
      "close 0",
    ]);
    assert.equal(r.status, 0);
    assert.equal(r.run.verdict, "pass");
    // The remove of renderD128 and of the PCI function reached the monitor too (5 in all).
    assert.equal(r.ueventsDelivered, 5);
    // The real program's calls are the model's calls of its lane, in the trace.
    const calls = laneCalls(r.run, "client");
    const shown = calls.map((c) => `${c.op} ${c.errno ?? c.ret}`);
    assert.ok(shown.includes("open 3"), shown.join("; "));
    assert.deepEqual(shown.filter((s) => s.endsWith("ENODEV")), ["ioctl ENODEV", "ioctl ENODEV", "mmap ENODEV"]);
    // one open by the client (drmGetDevices2() reads sysfs only), closed by its close()
    assert.equal(shown.filter((s) => s.startsWith("open ")).length, 1, shown.join("; "));
    assert.equal(shown.at(-1), "close 0", shown.join("; "));
  });

  it("keeps a shmem buffer's data in the real mapping after the unplug (virtio-gpu)", async () => {
    const client = buildClient("unplug_client");
    const sc = loadScenario("scenarios/exec-unplug-client-shmem.yaml");
    const r = await execScenario({ scenario: sc, program: "client", argv: [client], stdio: "pipe" });
    assert.equal(r.status, 0, r.stderr);
    const lines = factLines(r.stdout);
    assert.ok(lines.includes("version virtio_gpu 0.1.0"), r.stdout);
    assert.deepEqual(lines.slice(lines.indexOf("waiting removed")), [
      "waiting removed",
      "version_after ENODEV",
      "map_dumb_after ENODEV",
      "mapped_after ab ab",
      "written_after 55",
      "mmap_after ENODEV",
      "munmap 0",
      "close 0",
    ]);
  });

  it("keeps the testbed in step with a remove and a rescan: new minors, found and opened", async () => {
    const client = buildClient("rebind_client");
    const sc = loadScenario("scenarios/exec-rebind-client.yaml");
    const r = await execScenario({ scenario: sc, program: "client", argv: [client], stdio: "pipe" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(factLines(r.stdout), [
      "open_old ok",
      "uevent remove /dev/dri/card0",
      "removed yes",
      "uevent remove /dev/dri/renderD128",
      // the stale file holds card0, so the new device gets the next minors (R31)
      "uevent add /dev/dri/renderD129",
      "uevent add /dev/dri/card1",
      "added yes",
      "devices 1",
      "node /dev/dri/card1",
      "node /dev/dri/renderD129",
      "open_new ok",
      "version_new vdisp",
      "version_old ENODEV",
      "close_old 0",
      "close_new 0",
    ]);
    assert.equal(r.run.verdict, "pass");
  });

  it("lets libdrm's drmdevice list the model's device with both nodes and its PCI ids", async () => {
    const sc = loadScenario("scenarios/exec-unplug-client.yaml");
    const r = await execScenario({ scenario: sc, program: "client", argv: ["drmdevice"], stdio: "pipe" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /--- Devices reported 1 ---/);
    assert.match(r.stdout, /nodes\[0\] \/dev\/dri\/card0\n/);
    assert.match(r.stdout, /nodes\[2\] \/dev\/dri\/renderD128\n/);
    assert.match(r.stdout, /vendor_id {5}1b36\n/);
    assert.match(r.stdout, /device_id {5}00f0\n/);
    // drmGetDevice2() on each open fd (the shim's fstat) and the PCI revision
    assert.match(r.stdout, /Retrieving device info, for node \/dev\/dri\/renderD128 ---\ndevice\[0\]/);
    assert.match(r.stdout, /revision_id {3}00\n/);
  });

  it("exits with the real program's status when the model finds nothing", async () => {
    const sc = loadScenario("scenarios/exec-unplug-client.yaml");
    const r = await execScenario({ scenario: sc, program: "client", argv: ["sh", "-c", "exit 3"], stdio: "pipe" });
    assert.equal(r.status, 3);
    assert.equal(r.run.verdict, "pass");
  });
});
