/**
 * The final checks of a scenario, evaluated on what a user could look at once the programs
 * ended: the uevents received, sysfs, and (after shutdown) the kernel's findings.
 */
import type { Sysfs } from "../base/mod.js";
import { findingClass, type Finding } from "../kernel/mod.js";
import { ueventGet, type Uevent } from "../uapi/mod.js";
import type { Checks, DeviceCheck } from "./scenario.js";

export interface CheckResult {
  readonly what: string;
  readonly met: boolean;
  readonly detail?: string;
}

function keys(m: Readonly<Record<string, string>>): string {
  return Object.entries(m).map(([k, v]) => `${k}=${v}`).join(" ");
}

/** The expected uevents appear in order (others may come between). */
export function checkUevents(expected: Checks["uevents"], seen: readonly Uevent[]): CheckResult[] {
  if (expected.length === 0) return [];
  let at = 0;
  const out: CheckResult[] = [];
  for (const want of expected) {
    const found = seen.findIndex((ev, i) => i >= at && Object.entries(want).every(([k, v]) => ueventGet(ev, k) === v));
    if (found < 0) {
      out.push({ what: `uevent ${keys(want)}`, met: false, detail: at === 0 ? "not seen" : `not seen after the event with SEQNUM=${ueventGet(seen[at - 1]!, "SEQNUM")}` });
      return out;
    }
    out.push({ what: `uevent ${keys(want)}`, met: true, detail: `SEQNUM=${ueventGet(seen[found]!, "SEQNUM")}` });
    at = found + 1;
  }
  return out;
}

function drmNodes(sysfs: Sysfs, bdf: string): string[] {
  const names: string[] = [];
  for (const dir of ["drm", "accel"]) {
    const r = sysfs.readdir(`/sys/bus/pci/devices/${bdf}/${dir}`);
    if (r.ok) names.push(...r.value.map((e) => e.name).filter((n) => /^(card|renderD|accel)\d+$/.test(n)));
  }
  return names.sort();
}

export function checkDevice(c: DeviceCheck, sysfs: Sysfs): CheckResult[] {
  const out: CheckResult[] = [];
  const dir = `/sys/bus/pci/devices/${c.bdf}`;
  const present = sysfs.exists(dir);
  if (c.present !== undefined) out.push({ what: `device ${c.bdf} ${c.present ? "present" : "absent"}`, met: present === c.present, detail: present ? "present" : "absent" });
  if (c.driver !== undefined) {
    const link = sysfs.readlink(`${dir}/driver`);
    const bound = link.ok ? link.value.replace(/^.*\//, "") : null;
    out.push({ what: `device ${c.bdf} driver ${c.driver ?? "none"}`, met: bound === c.driver, detail: `bound: ${bound ?? "none"}` });
  }
  if (c.nodes !== undefined) {
    const nodes = drmNodes(sysfs, c.bdf);
    const want = [...c.nodes].sort();
    out.push({ what: `device ${c.bdf} nodes ${want.join(",") || "none"}`, met: nodes.join(",") === want.join(","), detail: `nodes: ${nodes.join(",") || "none"}` });
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
    return { what: `finding ${n}`, met: count > 0, detail: count > 0 ? `${count} reported` : "not reported" };
  });
}
