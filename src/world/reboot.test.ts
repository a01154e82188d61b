/**
 * A reboot of the simulated machine, seen from userspace: the other programs are killed (their
 * reads end with EINTR, their files close as at exit), the old devices are freed, and a new
 * kernel probes the same cards from scratch: minors and uevent sequence numbers count from the
 * start again, the card's registers are back at their power-on values, and nothing leaks.
 *
 * @see kernel_restart(), device_shutdown()
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DrmDevice } from "../drm/mod.js";
import type { TraceEvent } from "../kernel/mod.js";
import { ueventGet, type Call, type Syscalls } from "../uapi/mod.js";
import { BDF, bind, drainUevents, names, openOk, ueventSocketOk, unbind } from "./_testing.js";
import type { WorldOptions } from "./options.js";
import { World, type Program } from "./world.js";

function bootedWorld(options: Partial<WorldOptions> = {}): World {
  const world = new World({ seed: 1, schedule: "fifo", ...options });
  world.bootSync();
  return world;
}

/** Unbinds and binds vdisp, and returns the SEQNUM of each uevent that made. */
function* rebindSeqnums(sys: Syscalls): Call<string[]> {
  const sock = yield* ueventSocketOk(sys);
  yield* unbind(sys);
  yield* bind(sys);
  const events = yield* drainUevents(sys, sock);
  yield* sys.close(sock);
  return events.map((ev) => `${ev.action} ${ueventGet(ev, "SEQNUM") ?? "?"}`);
}

describe("World.reboot()", () => {
  test("a program holding the device is killed and its files closed; the card is probed anew with minors from 0; nothing leaks", () => {
    const world = bootedWorld();
    const old = world.bus.device(BDF)?.drvdata as DrmDevice;
    const oldKernel = world.kernel;
    const seen: Record<string, unknown> = {};
    const holder = world.spawnProgram("holder", function* (sys) {
      const fd = yield* openOk(sys, "/dev/dri/card0");
      yield* sys.read(fd, 4096); // no DRM event comes: asleep until killed
      seen.holderWokeUp = true;
    });
    let admin: Program | undefined;
    admin = world.spawnProgram("admin", function* (sys) {
      yield* sys.sleep(1);
      seen.before = yield* rebindSeqnums(sys);
      seen.minorsBefore = yield* names(sys, "/dev/dri");
      const mine = yield* openOk(sys, "/dev/dri/renderD129");
      assert.ok(admin !== undefined);
      const next = yield* world.reboot(admin);
      seen.oldFdInNewProcess = (yield* next.close(mine)).ok;
      seen.minorsAfter = yield* names(next, "/dev/dri");
      seen.after = yield* rebindSeqnums(next);
      seen.pid = next.pid;
    });
    assert.equal(world.run().kind, "quiescent");
    assert.deepEqual(seen, {
      before: ["remove 8", "remove 9", "remove 10", "unbind 11", "add 12", "add 13", "add 14", "change 15", "bind 16"],
      minorsBefore: ["card1", "renderD129"],
      oldFdInNewProcess: false,
      minorsAfter: ["card0", "renderD128"],
      // A new kernel counts uevents from the start: the same rebind, the same numbers.
      after: ["remove 8", "remove 9", "remove 10", "unbind 11", "add 12", "add 13", "add 14", "change 15", "bind 16"],
      pid: 1000,
    });
    assert.equal(holder.task.state, "done");
    assert.notEqual(world.kernel, oldKernel);
    assert.equal(old.mem.freeSite?.fn, "drm_dev_release", "the held instance was freed when the holder's files closed");
    const calls = world.sim.trace.events.filter((e): e is Extract<TraceEvent, { t: "call" }> => e.t === "call" && e.task === holder.task.id);
    assert.deepEqual(calls.map((c) => `${c.op} ${c.ret}${c.errno ? ` ${c.errno}` : ""}`).slice(-1), ["read -1 EINTR"]);
    assert.ok(world.sim.kmsg.includes("<0>reboot: Restarting system"));
    assert.equal(world.shutdownSync(), 0, "leaked allocations");
    assert.deepEqual(world.sim.findings, []);
  });

  test("under uapi-doc, where minors are allocated cyclically, the new kernel starts again from card0", () => {
    const world = bootedWorld({ profile: "uapi-doc" });
    const seen: unknown[] = [];
    let admin: Program | undefined;
    admin = world.spawnProgram("admin", function* (sys) {
      yield* unbind(sys);
      yield* bind(sys);
      seen.push(yield* names(sys, "/dev/dri"));
      assert.ok(admin !== undefined);
      const next = yield* world.reboot(admin);
      seen.push(yield* names(next, "/dev/dri"));
    });
    assert.equal(world.run().kind, "quiescent");
    assert.deepEqual(seen, [["card1", "renderD129"], ["card0", "renderD128"]]);
    assert.equal(world.shutdownSync(), 0);
    assert.deepEqual(world.sim.findings, []);
  });

  test("bochs-drm switches its display off at shutdown; the card comes back in its power-on state and bochs finds its ID register again", () => {
    const world = bootedWorld({ devices: [{ bdf: BDF, driver: "bochs-drm" }] });
    const hw = world.bus.card(BDF);
    assert.ok(hw !== undefined);
    hw.mmio.set(0x500, 0); // a register the first boot's driver state changed
    let admin: Program | undefined;
    admin = world.spawnProgram("admin", function* () {
      assert.ok(admin !== undefined);
      yield* world.reboot(admin);
    });
    assert.equal(world.run().kind, "quiescent");
    assert.equal(world.bus.card(BDF), hw, "the same card, in the new kernel's bus");
    const steps = world.sim.trace.events.flatMap((e) => (e.t === "step" ? [e.fn] : []));
    const from = steps.indexOf("device_shutdown");
    const shutdown = steps.slice(from, steps.indexOf("bus_remove_driver", from));
    assert.deepEqual(shutdown.filter((fn) => /bochs|crtc|writel/.test(fn)), ["bochs_pci_shutdown", "drm_simple_kms_crtc_disable", "writel", "drm_simple_kms_crtc_disable"], "bochs switches its display off at shutdown");
    assert.deepEqual(world.sim.kmsg.filter((l) => l.includes("Found bochs")), [
      "<6>[drm] Found bochs VGA, ID 0xb0c5.",
      "<6>[drm] Found bochs VGA, ID 0xb0c5.",
    ]);
    assert.equal(world.shutdownSync(), 0);
    assert.deepEqual(world.sim.findings, []);
  });
});
