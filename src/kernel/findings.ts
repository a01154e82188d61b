/**
 * What the kernel reports by itself, like KASAN, the hung-task detector, kmemleak and WARN.
 *
 * FINDING_KINDS is the one table of finding kinds: for each, the data it carries (the type
 * parameter of `kind<...>`), its class, its one-line summary worded as Linux prints it, and the
 * sites that explain it. The `Finding` type, the scenario format's finding names, the runner's
 * verdict, the exit codes, the timelines and the HTML report all read it, so adding a kind is
 * one entry here, e.g.
 *
 *     "undeclared-access": kind<{ step: string; object: string; ...; site: Site }>({
 *       class: "footprint", summary: (f) => `footprint: ...`, sites: (f) => [at("at", f.site)] }),
 */
import type { AccessMode } from "./footprint.js";
import { formatSite, type Site } from "./kobject.js";

/** The failure classes of findings; each is a verdict with its own exit code in the CLI. */
export const FINDING_CLASSES = ["memory", "hang", "leak", "warn", "footprint"] as const;
export type FindingClass = (typeof FINDING_CLASSES)[number];

export interface Waiter {
  readonly task: string;
  readonly reason: string;
  readonly sinceTick: number;
  readonly site: Site;
}

/** A site that explains a finding, with its role (access, freed, alloc, ...). */
export interface FindingSite {
  readonly role: string;
  /** What the role does not say, e.g. which task waits on what. */
  readonly detail?: string;
  readonly site: Site;
}

interface KindSpec<D> {
  readonly class: FindingClass;
  /** Found by the shutdown (a leak), not by the task of its first site. */
  readonly atShutdown?: true;
  /** One line, worded as Linux's report (KASAN, refcount_t, hung task, kmemleak, WARN). */
  summary(f: D): string;
  /** The sites that explain it, most telling first: the first names the task that ran into it. */
  sites(f: D): readonly FindingSite[];
}

function kind<D>(spec: KindSpec<D>): KindSpec<D> {
  return spec;
}

function at(role: string, site: Site, detail?: string): FindingSite {
  return detail === undefined ? { role, site } : { role, site, detail };
}

function waiterSite(w: Waiter, since: boolean): FindingSite {
  return at("waiter", w.site, `${w.task} on ${w.reason}${since ? ` since t=${w.sinceTick}` : ""}`);
}

function waitsOn(w: Waiter): string {
  return `${w.task} waits on ${w.reason}`;
}

type Freed = { object: string; alloc: Site; free: Site };
type FatalSignal = {
  comm: string;
  pid: number;
  signal: "SIGBUS";
  addr: string;
  /** The path of the mapped file. */
  mapping: string;
  site: Site;
};
type Undeclared = { step: string; object: string; mode: AccessMode; field: string; site: Site };

export const FINDING_KINDS = {
  "use-after-free": kind<Freed & { mode: "read" | "write"; access: Site }>({
    class: "memory",
    summary: (f) => `BUG: KASAN: use-after-free ${f.mode} of ${f.object} in ${f.access.fn}`,
    sites: (f) => [at("access", f.access), at("freed", f.free), at("alloc", f.alloc)],
  }),
  "double-free": kind<Freed & { again: Site }>({
    class: "memory",
    summary: (f) => `BUG: KASAN: double-free of ${f.object} in ${f.again.fn}`,
    sites: (f) => [at("again", f.again), at("freed", f.free), at("alloc", f.alloc)],
  }),
  "kref-underflow": kind<{ object: string; site: Site }>({
    class: "memory",
    summary: (f) => `refcount_t: underflow; use-after-free of ${f.object} in ${f.site.fn}`,
    sites: (f) => [at("at", f.site)],
  }),
  "kref-get-after-release": kind<{ object: string; site: Site }>({
    class: "memory",
    summary: (f) => `refcount_t: addition on 0; use-after-free of ${f.object} in ${f.site.fn}`,
    sites: (f) => [at("at", f.site)],
  }),
  hang: kind<{ waiters: readonly Waiter[] }>({
    class: "hang",
    summary: (f) => `hang: no task can run; ${f.waiters.map(waitsOn).join("; ")}`,
    sites: (f) => f.waiters.map((w) => waiterSite(w, true)),
  }),
  "hung-task": kind<{ waiter: Waiter; blockedTicks: number }>({
    class: "hang",
    summary: (f) => {
      const w = f.waiter;
      return `INFO: task ${w.task} blocked for more than ${f.blockedTicks} ticks on ${w.reason}`;
    },
    sites: (f) => [waiterSite(f.waiter, false)],
  }),
  /**
   * A fence that can never signal any more (nothing left to run could signal it) while tasks
   * wait for it: each waits for ever, interruptibly or not. dma-fence's rule is that every
   * fence signals in finite time (the driver signals it with an error when it gives up on the
   * work), so this is the kernel's hang, not the waiting program's. Found when the run is at
   * rest; Linux has no detector for it.
   */
  "fence-never-signalled": kind<{ fence: string; waiters: readonly Waiter[] }>({
    class: "hang",
    summary: (f) => `hang: ${f.fence} is never signalled; ${f.waiters.map(waitsOn).join("; ")}`,
    sites: (f) => f.waiters.map((w) => waiterSite(w, true)),
  }),
  /**
   * A task asleep interruptibly, at the end of the run, on a queue whose owner says nothing
   * will ever wake it (never_woken.ts): a reader of a file whose device is gone, to which the
   * kernel will never send what it waits for and which it does not hang up. The kernel's hang,
   * not the program's `blocked`: whatever the program did, its wait cannot end but by a signal.
   */
  "wait-never-woken": kind<{ waiter: Waiter; call: string | null; why: string }>({
    class: "hang",
    summary: (f) => {
      const w = f.waiter;
      const call = f.call === null ? "" : ` in ${f.call}`;
      return `hang: ${w.task} sleeps for ever${call} on ${w.reason}: ${f.why}`;
    },
    sites: (f) => [waiterSite(f.waiter, true)],
  }),
  leak: kind<{ object: string; alloc: Site }>({
    class: "leak",
    atShutdown: true,
    summary: (f) => `kmemleak: unreferenced object ${f.object}`,
    sites: (f) => [at("alloc", f.alloc)],
  }),
  warn: kind<{ message: string; site: Site }>({
    class: "warn",
    summary: (f) => `WARNING: ${f.message} at ${f.site.fn}`,
    sites: (f) => [at("at", f.site)],
  }),
  /**
   * A program killed by SIGBUS from an access to a mapping whose fault could not be resolved
   * (a DMA-helper mapping after unplug, D7): the uAPI says it never happens (R53). Worded as
   * print_fatal_signal() logs it (signal 7 is SIGBUS on x86-64).
   */
  "fatal-signal": kind<FatalSignal>({
    class: "memory",
    summary: (f) =>
      `${f.comm}/${f.pid}: potentially unexpected fatal signal 7 (${f.signal}) at ${f.addr} ` +
      `in a mapping of ${f.mapping}`,
    sites: (f) => [at("fault", f.site)],
  }),
  /**
   * A driver declared its device wedged (a WEDGED= uevent other than `none`) before making it
   * harmless, as the uAPI document requires first (R79): DMA still enabled (a GPU scheduler of
   * the device still hands jobs to the hardware), a fence of the device unsignalled, or a CPU
   * mapping still reaching device memory. Linux has no such check; the model reports it with
   * WARN's class.
   */
  "wedge-prerequisite": kind<{ device: string; wedged: string; unmet: readonly string[]; site: Site }>({
    class: "warn",
    summary: (f) =>
      `WARNING: ${f.device} sent WEDGED=${f.wedged} before it was harmless: ${f.unmet.join("; ")}`,
    sites: (f) => [at("at", f.site)],
  }),
  /**
   * A driver touched its device's registers after drm_dev_unplug(), outside a drm_dev_enter()
   * section and outside its own remove(): the hardware may be gone, or bound to another
   * driver (docs/requirements.md#r8). Worded as a KASAN-style report of the access.
   */
  "hardware-after-unplug": kind<{
    device: string;
    register: string;
    mode: "read" | "write";
    site: Site;
  }>({
    class: "memory",
    summary: (f) =>
      `BUG: ${f.mode} of MMIO ${f.register} of ${f.device} after drm_dev_unplug() outside ` +
      `drm_dev_enter() in ${f.site.fn}`,
    sites: (f) => [at("access", f.site)],
  }),
  /** A step read or wrote an object its footprint did not declare (the footprint checker). */
  "undeclared-access": kind<Undeclared>({
    class: "footprint",
    summary: (f) =>
      `footprint: ${f.step} ${f.mode}s ${f.field} of ${f.object} without declaring it`,
    sites: (f) => [at("at", f.site)],
  }),
};

export type FindingKind = keyof typeof FINDING_KINDS;

type DataOf<S> = S extends KindSpec<infer D> ? D : never;

/** A finding: its kind and the data its entry in FINDING_KINDS declares. */
export type Finding = {
  [K in FindingKind]: { readonly kind: K } & Readonly<DataOf<(typeof FINDING_KINDS)[K]>>;
}[FindingKind];

function specOf(f: Finding): KindSpec<Finding> {
  // The table is indexed by the finding's own kind, so its entry takes this finding's data.
  return FINDING_KINDS[f.kind] as unknown as KindSpec<Finding>;
}

export function findingClass(f: Finding): FindingClass {
  return specOf(f).class;
}

export function findingSummary(f: Finding): string {
  return specOf(f).summary(f);
}

export function findingSites(f: Finding): readonly FindingSite[] {
  return specOf(f).sites(f);
}

/** True when the shutdown found it (a leak), not a task running into it. */
export function foundAtShutdown(f: Finding): boolean {
  return specOf(f).atShutdown === true;
}

/** The kinds of one class, in table order. */
export function findingKindsOf(c: FindingClass): FindingKind[] {
  return (Object.keys(FINDING_KINDS) as FindingKind[]).filter((k) => FINDING_KINDS[k].class === c);
}

/** The sites of a finding, one line each: access, free and allocation for a use-after-free. */
export function findingSiteLines(f: Finding): string[] {
  return findingSites(f).map((s) => {
    const detail = s.detail === undefined ? "" : `${s.detail}, `;
    return `${`${s.role}:`.padEnd(7)} ${detail}${formatSite(s.site)}`;
  });
}
