/**
 * The building blocks of IGT's core_hotunplug (igt-hotunplug.md, sections 1.2 and 1.3): the
 * four sysfs primitives with their post-conditions and watchdogs, the health check, and
 * opening and closing the exercised card fd. Failure strings follow the IGT ones ("Driver
 * unbind failure!", ...).
 *
 * A watchdog (igt_set_timeout()) is an alarm around the sysfs write. The write sleeps in the
 * kernel uninterruptibly, so the alarm's handler, which fails the subtest, runs only once the
 * write returns: the model checks the time the write took when it returns. A write that never
 * returns is the model's own finding (a hang), as it would leave IGT stuck in Linux.
 */
import {
  DRM_IOCTL_VERSION,
  type Call,
  type Fd,
  type SysResult,
  type Syscalls,
} from "../uapi/mod.js";
import { pciDrmNodes } from "./drm_nodes.js";

/** The subtest fails with `message` (igt_assert_f()). */
export class Failure extends Error {}
/** The subtest is skipped (igt_require_f(), igt_skip()). */
export class Skip extends Error {}
/** The program died of a signal; IGT's runner reports the subtest as a crash. */
export class Crash extends Error {}

export interface IgtTarget {
  /** PCI bus address of the device under test. */
  readonly bdf: string;
  /** The PCI driver bound to it (its /sys/bus/pci/drivers/<name>). */
  readonly driver: string;
}

/** How long a watchdog allows, in seconds; 0 for none. */
export type WatchdogS = 0 | 60;

const US_PER_S = 1_000_000;

export function* check(cond: Call<boolean> | boolean, message: string): Call<void> {
  const ok = typeof cond === "boolean" ? cond : yield* cond;
  if (!ok) throw new Failure(message);
}

/** A sysfs write under a watchdog of `timeoutS` seconds (0: none), failing with `onTimeout`. */
function* watchedWrite(
  sys: Syscalls, path: string, value: string, timeoutS: WatchdogS, onTimeout: string,
): Call<SysResult<number>> {
  const startUs = yield* sys.clockGettime();
  const r = yield* sys.writeFile(path, value);
  const tookUs = (yield* sys.clockGettime()) - startUs;
  if (timeoutS > 0 && tookUs > timeoutS * US_PER_S) throw new Failure(onTimeout);
  return r;
}

function why(r: SysResult<unknown>): string {
  return r.ok ? "" : r.errno;
}

export function* driverUnbind(sys: Syscalls, t: IgtTarget, timeoutS: WatchdogS): Call<void> {
  const drv = `/sys/bus/pci/drivers/${t.driver}`;
  const r = yield* watchedWrite(sys, `${drv}/unbind`, t.bdf, timeoutS, "Driver unbind timeout!");
  yield* check(r.ok, `Driver unbind failure! (${why(r)})`);
  yield* check(!(yield* sys.exists(`${drv}/${t.bdf}`)), "Unbound device still present");
}

export function* driverBind(sys: Syscalls, t: IgtTarget, timeoutS: WatchdogS): Call<void> {
  const drv = `/sys/bus/pci/drivers/${t.driver}`;
  const r = yield* watchedWrite(sys, `${drv}/bind`, t.bdf, timeoutS, "Driver re-bind timeout!");
  yield* check(r.ok, `Driver re-bind failure! (${why(r)})`);
  yield* check(sys.exists(`${drv}/${t.bdf}`), "Rebound device not present");
}

export function* deviceUnplug(sys: Syscalls, t: IgtTarget, timeoutS: WatchdogS): Call<void> {
  const dev = `/sys/bus/pci/devices/${t.bdf}`;
  if (!(yield* sys.exists(`${dev}/remove`))) throw new Skip("No PCI remove attribute");
  const r = yield* watchedWrite(sys, `${dev}/remove`, "1", timeoutS, "Device unplug timeout!");
  yield* check(r.ok, `Device unplug failure! (${why(r)})`);
  yield* check(!(yield* sys.exists(dev)), "Unplugged device still present");
}

export function* busRescan(sys: Syscalls, t: IgtTarget, timeoutS: WatchdogS): Call<void> {
  const r = yield* watchedWrite(sys, "/sys/bus/pci/rescan", "1", timeoutS, "Bus rescan timeout!");
  yield* check(r.ok, `Bus rescan failure! (${why(r)})`);
  const found = sys.exists(`/sys/bus/pci/devices/${t.bdf}`);
  yield* check(found, "Fakely unplugged device not rediscovered");
}

function* nodeHealthcheck(sys: Syscalls, node: string): Call<void> {
  const fd = yield* sys.open(`/dev/dri/${node}`);
  if (!fd.ok) throw new Failure(`DRM device reopen failure! (${node}: ${fd.errno})`);
  const version = yield* sys.ioctl(fd.value, DRM_IOCTL_VERSION);
  yield* check(version.ok, `DRM_IOCTL_VERSION on a fresh ${node} failed`);
  const dev = yield* sys.readFile(`/sys/class/drm/${node}/dev`);
  const inSysfs = dev.ok && (yield* sys.exists(`/sys/dev/char/${dev.value.trim()}`));
  yield* check(inSysfs, "Device sysfs healthcheck failure!");
  const closed = yield* sys.close(fd.value);
  yield* check(closed.ok, "Device close failed");
}

/** Settle, re-enumerate, then check the card node and (if present) the render node. */
export function* healthcheck(sys: Syscalls, t: IgtTarget): Call<void> {
  yield* sys.sleep(1000);
  const nodes = yield* pciDrmNodes(sys, t.bdf);
  if (nodes.card === null) throw new Failure("DRM device reopen failure! (no card node)");
  yield* nodeHealthcheck(sys, nodes.card);
  if (nodes.render !== null) yield* nodeHealthcheck(sys, nodes.render);
}

/** Opens the card node of the device: the fd a hot subtest exercises. */
export function* openCard(sys: Syscalls, t: IgtTarget): Call<Fd> {
  const nodes = yield* pciDrmNodes(sys, t.bdf);
  if (nodes.card === null) throw new Failure("No card node");
  const fd = yield* sys.open(`/dev/dri/${nodes.card}`);
  if (!fd.ok) throw new Failure(`Device open failed: ${fd.errno}`);
  return fd.value;
}

/** The name of the driver behind `fd` (drmGetVersion()), or null if VERSION fails. */
export function* driverName(sys: Syscalls, fd: Fd): Call<string | null> {
  const v = yield* sys.ioctl(fd, DRM_IOCTL_VERSION, { name_len: 64n });
  return v.ok ? v.value.name : null;
}
