/**
 * What the kernel reports by itself, like KASAN, the hung-task detector, kmemleak and WARN.
 */
import { formatSite, type Site } from "./kobject.js";

export type Finding =
  | { readonly kind: "use-after-free"; readonly object: string; readonly mode: "read" | "write"; readonly access: Site; readonly alloc: Site; readonly free: Site }
  | { readonly kind: "double-free"; readonly object: string; readonly alloc: Site; readonly free: Site; readonly again: Site }
  | { readonly kind: "kref-underflow"; readonly object: string; readonly site: Site }
  | { readonly kind: "kref-get-after-release"; readonly object: string; readonly site: Site }
  | { readonly kind: "hang"; readonly waiters: readonly Waiter[] }
  | { readonly kind: "hung-task"; readonly waiter: Waiter; readonly blockedTicks: number }
  | { readonly kind: "leak"; readonly object: string; readonly alloc: Site }
  | { readonly kind: "warn"; readonly message: string; readonly site: Site }
  /** A step read or wrote an object its footprint did not declare (footprint checker). */
  | { readonly kind: "undeclared-access"; readonly step: string; readonly object: string; readonly mode: "read" | "write"; readonly field: string; readonly site: Site };

export type FindingKind = Finding["kind"];

export interface Waiter {
  readonly task: string;
  readonly reason: string;
  readonly sinceTick: number;
  readonly site: Site;
}

/** The failure class of a finding; each class has its own exit code in the CLI. */
export type FindingClass = "memory" | "hang" | "leak" | "warn" | "footprint";

export function findingClass(f: Finding): FindingClass {
  switch (f.kind) {
    case "use-after-free":
    case "double-free":
    case "kref-underflow":
    case "kref-get-after-release":
      return "memory";
    case "hang":
    case "hung-task":
      return "hang";
    case "leak":
      return "leak";
    case "warn":
      return "warn";
    case "undeclared-access":
      return "footprint";
  }
}

export function findingSummary(f: Finding): string {
  switch (f.kind) {
    case "use-after-free":
      return `BUG: KASAN: use-after-free ${f.mode} of ${f.object} in ${f.access.fn}`;
    case "double-free":
      return `BUG: KASAN: double-free of ${f.object} in ${f.again.fn}`;
    case "kref-underflow":
      return `refcount_t: underflow; use-after-free of ${f.object} in ${f.site.fn}`;
    case "kref-get-after-release":
      return `refcount_t: addition on 0; use-after-free of ${f.object} in ${f.site.fn}`;
    case "hang":
      return `hang: no task can run; ${f.waiters.map((w) => `${w.task} waits on ${w.reason}`).join("; ")}`;
    case "hung-task":
      return `INFO: task ${f.waiter.task} blocked for more than ${f.blockedTicks} ticks on ${f.waiter.reason}`;
    case "leak":
      return `kmemleak: unreferenced object ${f.object}`;
    case "warn":
      return `WARNING: ${f.message} at ${f.site.fn}`;
    case "undeclared-access":
      return `footprint: ${f.step} ${f.mode === "read" ? "reads" : "writes"} ${f.field} of ${f.object} without declaring it`;
  }
}

/** The sites of a finding, one line each: access, free and allocation for a use-after-free. */
export function findingSiteLines(f: Finding): string[] {
  switch (f.kind) {
    case "use-after-free":
      return [`access: ${formatSite(f.access)}`, `freed:  ${formatSite(f.free)}`, `alloc:  ${formatSite(f.alloc)}`];
    case "double-free":
      return [`again:  ${formatSite(f.again)}`, `freed:  ${formatSite(f.free)}`, `alloc:  ${formatSite(f.alloc)}`];
    case "kref-underflow":
    case "kref-get-after-release":
    case "warn":
    case "undeclared-access":
      return [`at:     ${formatSite(f.site)}`];
    case "leak":
      return [`alloc:  ${formatSite(f.alloc)}`];
    case "hang":
      return f.waiters.map((w) => `waiter: ${w.task} on ${w.reason} since t=${w.sinceTick}, ${formatSite(w.site)}`);
    case "hung-task":
      return [`waiter: ${f.waiter.task} on ${f.waiter.reason}, ${formatSite(f.waiter.site)}`];
  }
}
