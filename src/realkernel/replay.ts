/**
 * Replays the steps of the real-kernel recording against the model (by default with driver
 * bochs-drm, the recording's, at 0000:01:00.0, kernel 6.12) and records the same kinds of
 * observations. Another driver of the replay table (./drivers.ts) runs the same steps on its
 * own card, with its own PCI driver name in the sysfs paths.
 *
 * The program holds a file, a dumb buffer and its mapping across unbind/rebind, remove/rescan
 * and a slot hot-unplug, exactly in the order the recording's probe did.
 */
import { fileURLToPath } from "node:url";
import { step, type Task } from "../kernel/mod.js";
import { DRM_IOCTL_MODE_ATOMIC, DRM_IOCTL_MODE_GETRESOURCES, formatUeventRaw, type Uevent } from "../uapi/mod.js";
import { World } from "../world/world.js";
import { isModelledUevent, ueventRawWithoutSeqnum, type Observation } from "./observation.js";
import { ATOMIC_TEST_ONLY_EMPTY, Recorder, WORDS } from "./_recorder.js";
import { pciDriverName, RECORDED_DRIVER, replayDriver } from "./drivers.js";
import { primeAcrossUnbind } from "./replay_prime.js";

/** The recording this replay follows, step by step. */
export const RECORDING_PATH = fileURLToPath(new URL("../../fixtures/realkernel/linux-6.12-bochs-pciehp.jsonl", import.meta.url));

/** The second recording: the same steps, then group g (PRIME and dma-bufs across unbind). */
export const PRIME_RECORDING_PATH = fileURLToPath(
  new URL("../../fixtures/realkernel/linux-6.12-bochs-pciehp-prime.jsonl", import.meta.url),
);

const BDF = "0000:01:00.0";
const BDF2 = "0000:02:00.0";

export interface ReplayResult {
  readonly observations: Observation[];
  readonly world: World;
}

/** The seed of the replay; with the FIFO schedule, every replay is the same run. */
export const REPLAY_SEED = 1;

export interface ReplayOptions {
  /** @default REPLAY_SEED */
  readonly seed?: number;
  /** A name of the replay table (REPLAY_DRIVERS). @default "bochs-drm" */
  readonly driver?: string;
  /** Whether the probe goes on with group g (the PRIME recording's). @default false */
  readonly prime?: boolean;
}

export function replayRecording(o: ReplayOptions = {}): ReplayResult {
  const drv = replayDriver(o.driver ?? RECORDED_DRIVER);
  const devices = [{ bdf: BDF, driver: drv.model }];
  const seed = o.seed ?? REPLAY_SEED;
  const world = new World({ seed, profile: "mainline", kernel: "6.12", devices, schedule: "fifo" });
  // The card is in its slot and enumerated before the probe binds its uevent socket.
  world.sim.runTask("boot", (function* () {
    yield* world.bus.insertCard(BDF, world.makeCard(devices[0]!));
    world.bus.addRootPort(2); // the recording's machine has a second, empty hot-plug slot
    yield* world.bus.enumerate();
  })());
  const obs: Observation[] = [];
  let recorder: Recorder | undefined; // made with the probe's process when the probe starts
  const unsubscribe = world.kernel.uevents.subscribe({
    deliver(ev: Uevent) {
      const raw = formatUeventRaw(ev);
      if (isModelledUevent(raw)) obs.push({ kind: "uevent", scn: recorder?.scn ?? "init", raw: ueventRawWithoutSeqnum(raw) });
    },
  });
  const p = world.spawnProgram("probe", (proc) => {
    recorder = new Recorder(world, proc, obs);
    return probe(recorder, drv.model, o.prime === true);
  });
  world.run();
  unsubscribe();
  if (p.task.error !== undefined) throw p.task.error;
  return { observations: obs, world };
}

/** The probe's steps, in the recording's order; group g (PRIME) when `prime`. */
function* probe(r: Recorder, model: string, prime: boolean): Task<void> {
  r.at("load"); // modprobe bochs
  yield* r.world.loadDriver(model);
  yield* r.snapshot("after load");
  yield* unbindAndRebind(r, pciDriverName(model));
  yield* removeAndRescan(r);
  yield* slotUnplugAndReplug(r, model);
  if (prime) yield* primeAcrossUnbind(r, pciDriverName(model), BDF2);
  r.flushKmsg();
}

/** a_open, b_unbind, c_*: a file, its buffer and two mappings across unbind and rebind by `pci`. */
function* unbindAndRebind(r: Recorder, pci: string): Task<void> {
  const { sys } = r;
  const drivers = `/sys/bus/pci/drivers/${pci}`;
  // a_open: the file, the buffer and two mappings; the stale-path checks while alive
  r.at("a_open");
  const a = yield* r.openAndMap("/dev/dri/card0", 0xa1000000);
  yield* r.version(a.fd);
  yield* r.getCap(a.fd);
  const res = yield* sys.ioctl(a.fd, DRM_IOCTL_MODE_GETRESOURCES);
  r.call("ioctl", "DRM_IOCTL_MODE_GETRESOURCES", res, 0, res.ok ? { crtcs: res.value.count_crtcs, connectors: res.value.count_connectors, encoders: res.value.count_encoders, fbs: res.value.count_fbs } : {});
  yield* r.createDumb(a.fd);
  yield* r.mapDumb(a.fd);
  const atomic = yield* sys.ioctl(a.fd, DRM_IOCTL_MODE_ATOMIC, ATOMIC_TEST_ONLY_EMPTY);
  r.call("ioctl", "DRM_IOCTL_MODE_ATOMIC(TEST_ONLY,0 objs)", atomic, 0);
  yield* r.memRead("old map", a.map, 0xa1000000);
  const nm = yield* sys.mmap(a.fd, a.offset, WORDS * 4);
  r.call("mmap", "new mmap of old map offset", nm, 0);
  if (nm.ok) {
    yield* r.memRead("new map", nm.value, 0xa1000000);
    yield* r.memWrite("new map", nm.value, 0xa1100000);
    yield* r.memRead("new map", nm.value, 0xa1100000);
    yield* r.memRead("old map (after new-map write)", a.map, 0xa1100000);
    r.call("munmap", "new map", yield* sys.munmap(nm.value, WORDS * 4), 0);
  }
  yield* r.memWrite("old map", a.map, 0xa1110000);
  yield* r.memRead("old map", a.map, 0xa1110000);
  yield* r.pollAndRead(a.fd);
  yield* r.staleOpens(0, true);
  yield* r.ls("/dev/dri");
  yield* r.ls("/sys/class/drm");

  r.at("b_unbind");
  yield* r.sysfsWrite(`${drivers}/unbind`, BDF);
  yield* r.staleCalls(a.fd, a.map, a.offset, 0xa1110000);
  yield* r.staleOpens(0);
  yield* r.ls("/dev/dri");
  yield* r.ls("/sys/class/drm");
  yield* r.snapshot("after unbind, old fd open");

  yield* r.adminStep("c_rebind", `${drivers}/bind`, BDF, "after rebind, old fd still open");
  r.at("c_close_old_fd");
  r.call("close", "card fd", yield* sys.close(a.fd), 0);
  yield* r.snapshot("after close(old fds), old mapping still held");
  yield* r.adminStep("c_unbind2", `${drivers}/unbind`, BDF, "after second unbind");
  yield* r.adminStep("c_bind2", `${drivers}/bind`, BDF,
    "after second bind (old fds closed, old mapping held)");
  r.at("c_munmap_old");
  yield* r.memRead("old map (fd closed)", a.map, 0xa1120000);
  r.call("munmap", "old map", yield* sys.munmap(a.map, WORDS * 4), 0);
  yield* r.snapshot("after munmap(old map)");
  yield* r.adminStep("c_unbind3", `${drivers}/unbind`, BDF, "after third unbind");
  yield* r.adminStep("c_bind3", `${drivers}/bind`, BDF,
    "after third bind (old fd closed and unmapped)");
}

/** d_*: a file and its mapping across the device's removal and a rescan. */
function* removeAndRescan(r: Recorder): Task<void> {
  r.at("d_open");
  const d = yield* r.openAndMap("/dev/dri/card0", 0xd1000000);
  r.at("d_remove");
  yield* r.sysfsWrite(`/sys/bus/pci/devices/${BDF}/remove`, "1");
  yield* r.staleCalls(d.fd, d.map, d.offset, 0xd1000000);
  yield* r.staleOpens(0);
  yield* r.ls("/dev/dri");
  yield* r.ls("/sys/class/drm");
  yield* r.snapshot("after remove, fd open");
  yield* r.adminStep("d_rescan", "/sys/bus/pci/rescan", "1", "after rescan, old fd still open");
  r.at("d_close_old");
  yield* r.closeAndUnmap(d);
}

/** e_*, f_*: a file and its mapping across a slot hot-unplug and a re-plug into another slot. */
function* slotUnplugAndReplug(r: Recorder, model: string): Task<void> {
  const { world } = r;
  r.at("e_open");
  const e = yield* r.openAndMap("/dev/dri/card1", 0xe1000000);
  r.at("e_hotunplug");
  // The attention button: pciehp unbinds the driver with the card still present, then removes it.
  yield step("kernfs_fop_write_iter", [world.kernel.sysfs]);
  yield* world.kernel.sysfs.write("/sys/bus/pci/slots/1/power", "0");
  yield step("hw_card_pull", [], [world.bus]);
  world.bus.pullCards(1);
  yield* r.staleCalls(e.fd, e.map, e.offset, 0xe1000000);
  yield* r.staleOpens(1);
  yield* r.ls("/dev/dri");
  yield* r.ls("/sys/class/drm");
  yield* r.snapshot("after hot-unplug, fd open");

  r.at("f_hotplug");
  yield* world.bus.hotplugCard(BDF2, world.makeCard({ bdf: BDF2, driver: model }));
  yield* r.snapshot("after hot re-plug, old fd still open");
  r.at("f_close_old");
  yield* r.closeAndUnmap(e);
}
