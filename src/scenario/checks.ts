/**
 * The final checks of a scenario, evaluated on what a user could look at once the programs
 * ended: the uevents received, sysfs, and (after shutdown) the kernel's findings.
 */
import type { Sysfs } from "../base/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import { findingClass, type Finding } from "../kernel/mod.js";
import { ueventGet, type Uevent } from "../uapi/mod.js";
import type { Checks, DeviceCheck, UeventExpectation } from "./scenario.js";
import { formatUeventExpectation, ueventDifferences } from "./uevent_match.js";

export interface CheckResult {
  readonly what: string;
  readonly met: boolean;
  readonly detail?: string;
}

/** The event's SEQNUM, for details. */
function seq(ev: Uevent): string {
  return `SEQNUM=${ueventGet(ev, "SEQNUM") ?? "?"}`;
}

/** Of the events from `from` on, the one that differs least from `want`, with how. */
function closest(
  want: UeventExpectation,
  seen: readonly Uevent[],
  from: number,
): { ev: Uevent; diff: string[] } | null {
  let best: { ev: Uevent; diff: string[] } | null = null;
  for (const ev of seen.slice(from)) {
    const diff = ueventDifferences(ev, want);
    if (best === null || diff.length < best.diff.length) best = { ev, diff };
  }
  return best;
}

/** Why `want` was not found from `from` on: what came closest, or that it came too early. */
function missDetail(want: UeventExpectation, seen: readonly Uevent[], from: number): string {
  const after = from === 0 ? "" : ` after ${seq(seen[from - 1]!)}`;
  const early = seen.slice(0, from).find((ev) => ueventDifferences(ev, want).length === 0);
  if (early !== undefined) return `seen only before the previous check's event, at ${seq(early)}`;
  const near = closest(want, seen, from);
  if (near === null) return `no uevent${after}`;
  const closestEvent = `${seq(near.ev)} ${near.ev.action} ${near.ev.devpath}`;
  return `not seen${after}; closest ${closestEvent}: ${near.diff.join(", ")}`;
}

/**
 * The expected uevents appear in order (others may come between). Every check is reported:
 * one not met says what came closest, and the next is looked for from the same place.
 */
export function checkUevents(expected: Checks["uevents"], seen: readonly Uevent[]): CheckResult[] {
  let at = 0;
  const out: CheckResult[] = [];
  for (const want of expected) {
    const what = `uevent ${formatUeventExpectation(want)}`;
    const found = seen.findIndex((ev, i) => i >= at && ueventDifferences(ev, want).length === 0);
    if (found < 0) {
      out.push({ what, met: false, detail: missDetail(want, seen, at) });
      continue;
    }
    out.push({ what, met: true, detail: seq(seen[found]!) });
    at = found + 1;
  }
  return out;
}

function drmNodes(sysfs: Sysfs, bdf: string): string[] {
  const names: string[] = [];
  for (const dir of ["drm", "accel"]) {
    const r = sysfs.readdir(`/sys/bus/pci/devices/${bdf}/${dir}`);
    if (r.ok)
      names.push(...r.value.map((e) => e.name).filter((n) => /^(card|renderD|accel)\d+$/.test(n)));
  }
  return names.sort();
}

export function checkDevice(c: DeviceCheck, sysfs: Sysfs): CheckResult[] {
  const out: CheckResult[] = [];
  const dir = `/sys/bus/pci/devices/${c.bdf}`;
  const present = sysfs.exists(dir);
  if (c.present !== undefined)
    out.push({
      what: `device ${c.bdf} ${c.present ? "present" : "absent"}`,
      met: present === c.present,
      detail: present ? "present" : "absent",
    });
  if (c.driver !== undefined) {
    const link = sysfs.readlink(`${dir}/driver`);
    const bound = link.ok ? link.value.replace(/^.*\//, "") : null;
    // A built-in driver binds under its PCI driver's name (virtio-gpu as virtio-pci).
    const want = c.driver === null ? null : (DRIVERS.get(c.driver)?.driver.name ?? c.driver);
    out.push({
      what: `device ${c.bdf} driver ${c.driver ?? "none"}`,
      met: bound === want,
      detail: `bound: ${bound ?? "none"}`,
    });
  }
  if (c.nodes !== undefined) {
    const nodes = drmNodes(sysfs, c.bdf);
    const want = [...c.nodes].sort();
    out.push({
      what: `device ${c.bdf} nodes ${want.join(",") || "none"}`,
      met: nodes.join(",") === want.join(","),
      detail: `nodes: ${nodes.join(",") || "none"}`,
    });
  }
  return out;
}

type FindingName = Checks["findings"][number];

function isA(f: Finding, name: FindingName): boolean {
  return f.kind === name || findingClass(f) === name;
}

/** Findings the scenario expects must occur; the others make the run unclean. */
export function isExpectedFinding(f: Finding, checks: Checks): boolean {
  return checks.findings.some((n) => isA(f, n));
}

export function checkFindings(checks: Checks, findings: readonly Finding[]): CheckResult[] {
  return checks.findings.map((n) => {
    const count = findings.filter((f) => isA(f, n)).length;
    return {
      what: `finding ${n}`,
      met: count > 0,
      detail: count > 0 ? `${count} reported` : "not reported",
    };
  });
}
