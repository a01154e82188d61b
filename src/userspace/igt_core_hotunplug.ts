/**
 * The fourteen subtests of IGT's core_hotunplug (igt-hotunplug.md, section 1.4): the eight of
 * master and the six `-with-load` variants of revision 067740fd, written as userspace
 * programs against the Syscalls interface (the primitives are in igt_hotunplug_ops.ts).
 *
 * A subtest skips where IGT would: no render node, no `remove` attribute, and for the
 * `-with-load` variants a driver it cannot load ("No GPU workload support for this driver").
 * IGT loads only i915 and xe; the model loads vtest, the one built-in driver with engines, so
 * those six run on vtest and skip elsewhere. Their load is a spinner (igt_spin.ts) started on
 * the exercised fd before the removal and ended through its CPU mapping after it, in the
 * order of the spec's table.
 */
import type { Call, Fd, Syscalls } from "../uapi/mod.js";
import { pciDrmNodes } from "./drm_nodes.js";
import {
  busRescan,
  check,
  Crash,
  deviceUnplug,
  driverBind,
  driverName,
  driverUnbind,
  Failure,
  healthcheck,
  openCard,
  Skip,
  type IgtTarget,
  type WatchdogS,
} from "./igt_hotunplug_ops.js";
import { igtSpinEnd, igtSpinNew, igtSpinUnmap, isSpinFailure, type IgtSpin } from "./igt_spin.js";

export const SUBTESTS = [
  "unbind-rebind",
  "unplug-rescan",
  "hotunbind-rebind",
  "hotunplug-rescan",
  "hotrebind",
  "hotreplug",
  "hotrebind-lateclose",
  "hotreplug-lateclose",
  "hotunbind-rebind-with-load",
  "hotunplug-rescan-with-load",
  "hotrebind-with-load",
  "hotreplug-with-load",
  "hotrebind-lateclose-with-load",
  "hotreplug-lateclose-with-load",
] as const;

export type SubtestName = (typeof SUBTESTS)[number];

/** The drivers a `-with-load` subtest can put GPU work on (IGT's are i915 and xe). */
export const LOAD_DRIVERS: readonly string[] = ["vtest"];

/**
 * How a subtest takes the device away (and the watchdog of that write) and brings it back,
 * what happens to the card fd it opens first (the hot variants): closed before the restore,
 * after it (lateclose), or only after the health check, by the cleanup, like IGT's recover();
 * and whether a spinner runs on that fd.
 */
interface SubtestPlan {
  readonly removal: "unbind" | "unplug";
  readonly removalTimeoutS: WatchdogS;
  readonly staleFd: "none" | "close-before-restore" | "close-after-restore" | "close-at-end";
  readonly load: boolean;
}

type StaleFd = SubtestPlan["staleFd"];

function plan(removal: "unbind" | "unplug", staleFd: StaleFd, load = false): SubtestPlan {
  // The hot rebind/replug flavours give the removal 60 s; the others no watchdog.
  const removalTimeoutS = staleFd === "close-at-end" || staleFd === "close-after-restore" ? 60 : 0;
  return { removal, removalTimeoutS, staleFd, load };
}

const PLANS: Readonly<Record<SubtestName, SubtestPlan>> = {
  "unbind-rebind": plan("unbind", "none"),
  "unplug-rescan": plan("unplug", "none"),
  "hotunbind-rebind": plan("unbind", "close-before-restore"),
  "hotunplug-rescan": plan("unplug", "close-before-restore"),
  "hotrebind": plan("unbind", "close-at-end"),
  "hotreplug": plan("unplug", "close-at-end"),
  "hotrebind-lateclose": plan("unbind", "close-after-restore"),
  "hotreplug-lateclose": plan("unplug", "close-after-restore"),
  "hotunbind-rebind-with-load": plan("unbind", "close-before-restore", true),
  "hotunplug-rescan-with-load": plan("unplug", "close-before-restore", true),
  "hotrebind-with-load": plan("unbind", "close-at-end", true),
  "hotreplug-with-load": plan("unplug", "close-at-end", true),
  "hotrebind-lateclose-with-load": plan("unbind", "close-after-restore", true),
  "hotreplug-lateclose-with-load": plan("unplug", "close-after-restore", true),
};

export type SubtestResult =
  | { readonly verdict: "pass" }
  | { readonly verdict: "fail" | "skip" | "crash"; readonly message: string };

/** What a subtest holds: the exercised fd and its spinner, until closed or ended. */
interface Held {
  stale: Fd | null;
  spin: IgtSpin | null;
}

/** pre_check(): the baseline health check; a device without a render node is skipped. */
function* preCheck(sys: Syscalls, t: IgtTarget): Call<void> {
  const nodes = yield* pciDrmNodes(sys, t.bdf);
  if (nodes.render === null) throw new Skip("No render node");
  yield* healthcheck(sys, t);
}

/** Starts the spinner on the exercised fd, or skips on a driver without GPU work. */
function* startLoad(sys: Syscalls, fd: Fd): Call<IgtSpin> {
  const name = yield* driverName(sys, fd);
  if (name === null || !LOAD_DRIVERS.includes(name)) {
    throw new Skip("No GPU workload support for this driver");
  }
  const spin = yield* igtSpinNew(sys, fd);
  if (isSpinFailure(spin)) {
    throw new Failure(`Spinner start failure! (${spin.call}: ${spin.errno})`);
  }
  return spin;
}

/** Ends the spinner through its mapping and unmaps it, with no ioctl on the exercised fd. */
function* stopLoad(sys: Syscalls, held: Held): Call<void> {
  const spin = held.spin;
  if (spin === null) return;
  held.spin = null;
  const end = yield* igtSpinEnd(sys, spin);
  if (!end.ok) throw new Crash(`${end.signal} at the spinner's end write`);
  yield* igtSpinUnmap(sys, spin);
}

/** The late close of the exercised fd (close() must return 0), its spinner ended first. */
function* lateClose(sys: Syscalls, held: Held): Call<void> {
  yield* stopLoad(sys, held);
  const fd = held.stale;
  if (fd === null) throw new Error("Cannot close the exercised fd: none was opened");
  held.stale = null;
  const r = yield* sys.close(fd);
  yield* check(r.ok, `Device close failed (${r.ok ? "" : r.errno})`);
}

function* steps(sys: Syscalls, t: IgtTarget, p: SubtestPlan, held: Held): Call<void> {
  const unplug = p.removal === "unplug";
  const [remove, restore] = unplug ? [deviceUnplug, busRescan] : [driverUnbind, driverBind];
  yield* preCheck(sys, t);
  if (p.staleFd !== "none") held.stale = yield* openCard(sys, t);
  if (p.load && held.stale !== null) held.spin = yield* startLoad(sys, held.stale);
  yield* remove(sys, t, p.removalTimeoutS);
  if (p.staleFd === "close-before-restore") yield* lateClose(sys, held);
  yield* restore(sys, t, 0);
  if (p.staleFd === "close-after-restore") yield* lateClose(sys, held);
  yield* stopLoad(sys, held);
  yield* healthcheck(sys, t);
}

/**
 * Runs one subtest; afterwards, like recover(), unmaps a spinner a failed subtest left and
 * closes the exercised fd if still open (the hot rebind/replug variants leave it for this).
 */
export function* runSubtest(sys: Syscalls, t: IgtTarget, name: SubtestName): Call<SubtestResult> {
  const held: Held = { stale: null, spin: null };
  try {
    yield* steps(sys, t, PLANS[name], held);
    return { verdict: "pass" };
  } catch (e) {
    if (e instanceof Skip) return { verdict: "skip", message: e.message };
    if (e instanceof Failure) return { verdict: "fail", message: e.message };
    if (e instanceof Crash) return { verdict: "crash", message: e.message };
    throw e;
  } finally {
    if (held.spin !== null) yield* igtSpinUnmap(sys, held.spin);
    if (held.stale !== null) yield* sys.close(held.stale);
  }
}

export { healthcheck, type IgtTarget };
