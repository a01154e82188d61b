/**
 * The eight subtests of IGT's core_hotunplug (igt-hotunplug.md, section 1.4), written as
 * userspace programs against the Syscalls interface: the four sysfs primitives with their
 * post-conditions, the health check, and the late-close variants.
 *
 * Failure strings follow the IGT ones ("Driver unbind failure!", ...). A subtest skips where
 * IGT would (no render node, no `remove` attribute).
 */
import { DRM_IOCTL_VERSION, type Call, type Fd, type Syscalls } from "../uapi/mod.js";
import { pciDrmNodes } from "./drm_nodes.js";

export type SubtestName =
  | "unbind-rebind"
  | "unplug-rescan"
  | "hotunbind-rebind"
  | "hotunplug-rescan"
  | "hotrebind"
  | "hotreplug"
  | "hotrebind-lateclose"
  | "hotreplug-lateclose";

export const SUBTESTS: readonly SubtestName[] = [
  "unbind-rebind",
  "unplug-rescan",
  "hotunbind-rebind",
  "hotunplug-rescan",
  "hotrebind",
  "hotreplug",
  "hotrebind-lateclose",
  "hotreplug-lateclose",
];

/**
 * How a subtest takes the device away and brings it back, and what happens to the card fd it
 * opens first (the hot variants): closed before the restore, after it (lateclose), or only
 * after the health check, by the cleanup, like IGT's recover().
 */
interface SubtestPlan {
  readonly removal: "unbind" | "unplug";
  readonly staleFd: "none" | "close-before-restore" | "close-after-restore" | "close-at-end";
}

const PLANS: Readonly<Record<SubtestName, SubtestPlan>> = {
  "unbind-rebind": { removal: "unbind", staleFd: "none" },
  "unplug-rescan": { removal: "unplug", staleFd: "none" },
  "hotunbind-rebind": { removal: "unbind", staleFd: "close-before-restore" },
  "hotunplug-rescan": { removal: "unplug", staleFd: "close-before-restore" },
  "hotrebind": { removal: "unbind", staleFd: "close-at-end" },
  "hotreplug": { removal: "unplug", staleFd: "close-at-end" },
  "hotrebind-lateclose": { removal: "unbind", staleFd: "close-after-restore" },
  "hotreplug-lateclose": { removal: "unplug", staleFd: "close-after-restore" },
};

export type SubtestResult = { readonly verdict: "pass" } | { readonly verdict: "fail" | "skip"; readonly message: string };

export interface IgtTarget {
  /** PCI bus address of the device under test. */
  readonly bdf: string;
  /** The PCI driver bound to it (its /sys/bus/pci/drivers/<name>). */
  readonly driver: string;
}

class Failure extends Error {}
class Skip extends Error {}

function* check(cond: Call<boolean> | boolean, message: string): Call<void> {
  const ok = typeof cond === "boolean" ? cond : yield* cond;
  if (!ok) throw new Failure(message);
}

function* driverUnbind(sys: Syscalls, t: IgtTarget): Call<void> {
  const r = yield* sys.writeFile(`/sys/bus/pci/drivers/${t.driver}/unbind`, t.bdf);
  yield* check(r.ok, `Driver unbind failure! (${r.ok ? "" : r.errno})`);
  yield* check(!(yield* sys.exists(`/sys/bus/pci/drivers/${t.driver}/${t.bdf}`)), "Unbound device still present");
}

function* driverBind(sys: Syscalls, t: IgtTarget): Call<void> {
  const r = yield* sys.writeFile(`/sys/bus/pci/drivers/${t.driver}/bind`, t.bdf);
  yield* check(r.ok, `Driver re-bind failure! (${r.ok ? "" : r.errno})`);
  yield* check(sys.exists(`/sys/bus/pci/drivers/${t.driver}/${t.bdf}`), "Rebound device not present");
}

function* deviceUnplug(sys: Syscalls, t: IgtTarget): Call<void> {
  if (!(yield* sys.exists(`/sys/bus/pci/devices/${t.bdf}/remove`))) throw new Skip("No PCI remove attribute");
  const r = yield* sys.writeFile(`/sys/bus/pci/devices/${t.bdf}/remove`, "1");
  yield* check(r.ok, `Device unplug failure! (${r.ok ? "" : r.errno})`);
  yield* check(!(yield* sys.exists(`/sys/bus/pci/devices/${t.bdf}`)), "Unplugged device still present");
}

function* busRescan(sys: Syscalls, t: IgtTarget): Call<void> {
  const r = yield* sys.writeFile("/sys/bus/pci/rescan", "1");
  yield* check(r.ok, `Bus rescan failure! (${r.ok ? "" : r.errno})`);
  yield* check(sys.exists(`/sys/bus/pci/devices/${t.bdf}`), "Fakely unplugged device not rediscovered");
}

function* nodeHealthcheck(sys: Syscalls, node: string): Call<void> {
  const fd = yield* sys.open(`/dev/dri/${node}`);
  if (!fd.ok) throw new Failure(`DRM device reopen failure! (${node}: ${fd.errno})`);
  const version = yield* sys.ioctl(fd.value, DRM_IOCTL_VERSION);
  yield* check(version.ok, `DRM_IOCTL_VERSION on a fresh ${node} failed`);
  const dev = yield* sys.readFile(`/sys/class/drm/${node}/dev`);
  yield* check(dev.ok && (yield* sys.exists(`/sys/dev/char/${dev.value.trim()}`)), "Device sysfs healthcheck failure!");
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

function* openCard(sys: Syscalls, t: IgtTarget): Call<Fd> {
  const nodes = yield* pciDrmNodes(sys, t.bdf);
  if (nodes.card === null) throw new Failure("No card node");
  const fd = yield* sys.open(`/dev/dri/${nodes.card}`);
  if (!fd.ok) throw new Failure(`Device open failed: ${fd.errno}`);
  return fd.value;
}

/** Closes the fd the hot variants opened before the removal; null: nothing left to close. */
function* closeStale(sys: Syscalls, fd: Fd | null): Call<null> {
  if (fd === null) throw new Error("Cannot close stale fd: none was opened");
  const r = yield* sys.close(fd);
  yield* check(r.ok, `Device close failed (${r.ok ? "" : r.errno})`);
  return null;
}

/** pre_check(): the baseline health check; a device without a render node is skipped, as in IGT. */
function* preCheck(sys: Syscalls, t: IgtTarget): Call<void> {
  const nodes = yield* pciDrmNodes(sys, t.bdf);
  if (nodes.render === null) throw new Skip("No render node");
  yield* healthcheck(sys, t);
}

/** Runs one subtest; closes a stale fd left open by the hot variants afterwards, like recover(). */
export function* runSubtest(sys: Syscalls, t: IgtTarget, name: SubtestName): Call<SubtestResult> {
  const plan = PLANS[name];
  const [remove, restore] = plan.removal === "unplug" ? [deviceUnplug, busRescan] : [driverUnbind, driverBind];
  let stale: Fd | null = null;
  try {
    yield* preCheck(sys, t);
    if (plan.staleFd !== "none") stale = yield* openCard(sys, t);
    yield* remove(sys, t);
    if (plan.staleFd === "close-before-restore") stale = yield* closeStale(sys, stale);
    yield* restore(sys, t);
    if (plan.staleFd === "close-after-restore") stale = yield* closeStale(sys, stale);
    yield* healthcheck(sys, t);
    return { verdict: "pass" };
  } catch (e) {
    if (e instanceof Skip) return { verdict: "skip", message: e.message };
    if (e instanceof Failure) return { verdict: "fail", message: e.message };
    throw e;
  } finally {
    if (stale !== null) yield* sys.close(stale);
  }
}
