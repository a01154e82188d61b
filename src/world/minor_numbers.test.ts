/**
 * Which card/renderD numbers a new device gets, as userspace sees them in /dev/dri, in sysfs
 * and in the DEVNAME of uevents, per profile and kernel version. Mainline hands out the lowest
 * free number and keeps a number reserved until the final drm_dev_put() of its old device
 * (R29, R31, R32); the uAPI documentation asks for PID-like numbers, the next after the
 * previous one (D2, R33). The table itself is tested in src/drm/minor_table.test.ts.
 *
 * @see drm_minor_alloc() in drivers/gpu/drm/drm_drv.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Call, Syscalls } from "../uapi/mod.js";
import { BDF, bind, drainUevents, minorUevents, names, openOk, pciRemove, pciRescan, ueventSocketOk, unbind, userSession } from "./_testing.js";
import type { WorldOptions } from "./options.js";

interface Case {
  readonly label: string;
  readonly options: Partial<WorldOptions>;
  /** /dev/dri after remove and rescan while the old card0 is still open. */
  readonly whileOldOpen: readonly string[];
  /** /dev/dri after the old device's final put and an unbind and bind of the new one. */
  readonly afterRebind: readonly string[];
}

const CASES: readonly Case[] = [
  { label: "mainline 7.1", options: { profile: "mainline", kernel: "7.1" }, whileOldOpen: ["card1", "renderD129"], afterRebind: ["card0", "renderD128"] },
  { label: "mainline 6.8", options: { profile: "mainline", kernel: "6.8" }, whileOldOpen: ["card1", "renderD129"], afterRebind: ["card0", "renderD128"] },
  { label: "uapi-doc", options: { profile: "uapi-doc" }, whileOldOpen: ["card1", "renderD129"], afterRebind: ["card2", "renderD130"] },
];

/** What userspace can see of the device's nodes now. */
function* nodesSeen(sys: Syscalls): Call<{ dev: string[] | string; sysfs: string[] | string; devt: string }> {
  const dev = yield* names(sys, "/dev/dri");
  const sysfs = yield* names(sys, `/sys/bus/pci/devices/${BDF}/drm`);
  const card = Array.isArray(dev) ? dev.find((n) => n.startsWith("card")) : undefined;
  const devt = card === undefined ? "no card" : yield* sys.readFile(`/sys/class/drm/${card}/dev`);
  return { dev, sysfs, devt: typeof devt === "string" ? devt : devt.ok ? devt.value.trim() : devt.errno };
}

const devtOf = (nodes: readonly string[]): string => `226:${nodes[0]?.replace("card", "") ?? "?"}`;
/** Register adds render then primary (R2), then the connector probe's hotplug `change`. */
const adds = (nodes: readonly string[]): string[] => [`add dri/${nodes[1]}`, `add dri/${nodes[0]}`, `change dri/${nodes[0]}`];
/** Unregister removes primary then render (R5). */
const removes = (nodes: readonly string[]): string[] => [`remove dri/${nodes[0]}`, `remove dri/${nodes[1]}`];

for (const c of CASES) {
  describe(`minor numbers, ${c.label}`, () => {
    test(`a device probed while the old one is open gets ${c.whileOldOpen.join("/")}; after its final put a rebind gets ${c.afterRebind.join("/")} (R29, R31-R34, R90)`, () => {
      const s = userSession(c.options);
      const seen = s.run(function* (sys) {
        const atBoot = yield* nodesSeen(sys);
        const sock = yield* ueventSocketOk(sys);
        const held = yield* openOk(sys, "/dev/dri/card0");
        yield* pciRemove(sys);
        yield* pciRescan(sys);
        const whileOldOpen = yield* nodesSeen(sys);
        yield* sys.close(held);
        yield* unbind(sys);
        yield* bind(sys);
        const afterRebind = yield* nodesSeen(sys);
        return { atBoot, whileOldOpen, afterRebind, uevents: minorUevents(yield* drainUevents(sys, sock)) };
      });
      const boot = ["card0", "renderD128"];
      assert.deepEqual(seen, {
        atBoot: { dev: boot, sysfs: boot, devt: "226:0" },
        whileOldOpen: { dev: c.whileOldOpen, sysfs: c.whileOldOpen, devt: devtOf(c.whileOldOpen) },
        afterRebind: { dev: c.afterRebind, sysfs: c.afterRebind, devt: devtOf(c.afterRebind) },
        uevents: [...removes(boot), ...adds(c.whileOldOpen), ...removes(c.whileOldOpen), ...adds(c.afterRebind)],
      });
      assert.equal(s.shutdown(), 0);
      assert.deepEqual(s.world.sim.findings, []);
    });
  });
}

describe("minor numbers without open files", () => {
  const expected: readonly [string, Partial<WorldOptions>, readonly string[]][] = [
    ["mainline reuses card0 at once", { profile: "mainline" }, ["card0", "renderD128"]],
    ["uapi-doc moves on to card1", { profile: "uapi-doc" }, ["card1", "renderD129"]],
  ];
  for (const [label, options, after] of expected) {
    test(`remove and rescan with nothing open: ${label} (R32, R33)`, () => {
      const s = userSession(options);
      const seen = s.run(function* (sys) {
        yield* pciRemove(sys);
        yield* pciRescan(sys);
        return yield* names(sys, "/dev/dri");
      });
      assert.deepEqual(seen, after);
      assert.equal(s.shutdown(), 0);
    });
  }
});
