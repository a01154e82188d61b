/**
 * @internal Test fixtures for tests that drive a booted world from userspace: one process
 * whose files stay open between phases, the sysfs writes of bind/unbind/remove/rescan, and
 * readers of /dev/dri and uevents.
 */
import { Process } from "../base/mod.js";
import type { DrmDevice } from "../drm/mod.js";
import { assert, type Task } from "../kernel/mod.js";
import { ueventGet, type Call, type ErrnoName, type Fd, type SysResult, type Syscalls, type Uevent } from "../uapi/mod.js";
import type { WorldOptions } from "./options.js";
import { World } from "./world.js";

export const BDF = "0000:01:00.0";

export interface UserSession {
  readonly world: World;
  /** A process that outlives each phase, so its files stay open between phases. */
  readonly sys: Process;
  /** Runs one phase of userspace to the end (other tasks run meanwhile) and returns its result. */
  run<T>(body: (sys: Process) => Call<T>): T;
  /** The drm_device the driver of `bdf` made (its drvdata), or null when unbound. */
  drm(bdf?: string): DrmDevice | null;
  /** The process exits, the world shuts down; returns the number of leaked allocations. */
  shutdown(): number;
}

/** A world booted with one vdisp at BDF (unless `devices` says otherwise), FIFO-scheduled. */
export function userSession(options: Partial<WorldOptions> = {}): UserSession {
  const world = new World({ seed: 1, schedule: "fifo", ...options });
  world.bootSync();
  const sys = new Process(world.kernel, "test");
  return {
    world,
    sys,
    run: <T>(body: (sys: Process) => Call<T>): T => world.sim.runTask("test", body(sys) as Task<T>, { kind: "user" }),
    drm: (bdf = BDF) => (world.bus.device(bdf)?.drvdata as DrmDevice | undefined) ?? null,
    shutdown: () => {
      world.sim.runTask("test exit", sys.exit());
      return world.shutdownSync();
    },
  };
}

/** The first card's debugfs directory (/sys/kernel/debug/dri/<minor>): the wedge knobs. */
export const DEBUGFS_DRI0 = "/sys/kernel/debug/dri/0";

/** A session with one `driver` device at BDF, on `kernel` (the newest modelled by default). */
export function gpuSession(driver: string, kernel: WorldOptions["kernel"] = "7.1"): UserSession {
  return userSession({ devices: [{ bdf: BDF, driver }], kernel });
}

/** Writes a sysfs attribute and fails the test if the write fails. */
export function* sysfsWrite(sys: Syscalls, path: string, data: string): Call<void> {
  const r = yield* sys.writeFile(path, data);
  assert(r.ok, `Cannot write ${path}: ${r.ok ? "" : r.errno}`);
}

export const unbind = (sys: Syscalls, driver = "vdisp", bdf = BDF): Call<void> => sysfsWrite(sys, `/sys/bus/pci/drivers/${driver}/unbind`, bdf);
export const bind = (sys: Syscalls, driver = "vdisp", bdf = BDF): Call<void> => sysfsWrite(sys, `/sys/bus/pci/drivers/${driver}/bind`, bdf);
export const pciRemove = (sys: Syscalls, bdf = BDF): Call<void> => sysfsWrite(sys, `/sys/bus/pci/devices/${bdf}/remove`, "1");
export const pciRescan = (sys: Syscalls): Call<void> => sysfsWrite(sys, "/sys/bus/pci/rescan", "1");

/** Opens `path` and fails the test if the open fails. */
export function* openOk(sys: Syscalls, path: string): Call<Fd> {
  const r = yield* sys.open(path);
  assert(r.ok, `Cannot open ${path}: ${r.ok ? "" : r.errno}`);
  return r.value;
}

/** A system call's errno, or "ok". */
export function errnoOf(r: SysResult<unknown>): ErrnoName | "ok" {
  return r.ok ? "ok" : r.errno;
}

/** The names in a directory, sorted, or the errno. */
export function* names(sys: Syscalls, dir: string): Call<string[] | string> {
  const r = yield* sys.readdir(dir);
  return r.ok ? r.value.map((e) => e.name).sort() : r.errno;
}

/** Opens a uevent socket and fails the test if that fails. */
export function* ueventSocketOk(sys: Syscalls): Call<Fd> {
  const r = yield* sys.ueventSocket();
  assert(r.ok, `Cannot open a uevent socket: ${r.ok ? "" : r.errno}`);
  return r.value;
}

/** Every uevent queued on a uevent socket, without waiting for more. */
export function* drainUevents(sys: Syscalls, fd: Fd): Call<Uevent[]> {
  const out: Uevent[] = [];
  for (;;) {
    const r = yield* sys.recvUevent(fd, 0);
    if (!r.ok) return out;
    out.push(r.value);
  }
}

/** "KEY=value KEY=value" of the keys of `ev` among `keys`, in the event's own order. */
export function ueventKeys(ev: Uevent, keys: readonly string[]): string {
  return ev.env.filter(([k]) => keys.includes(k)).map(([k, v]) => `${k}=${v}`).join(" ");
}

/** "add dri/card0" for each uevent of a DRM minor (DEVTYPE=drm_minor), in order. */
export function minorUevents(events: readonly Uevent[]): string[] {
  return events.filter((ev) => ueventGet(ev, "DEVTYPE") === "drm_minor").map((ev) => `${ev.action} ${ueventGet(ev, "DEVNAME") ?? "?"}`);
}
