/**
 * A scenario told with another driver (`vdrm run --driver D`, and `vdrm conformance`, which
 * runs each case with every driver it applies to): the driver of the scenario's first card,
 * its *subject*, is replaced by D wherever the file names it: the cards of `world.devices`,
 * `plug-card` steps, `checks.devices`, and the paths under `/sys/bus/pci/drivers/<name>/` of
 * sysfs steps and of expected texts that quote them (with the PCI driver's name, which is `virtio-pci` for virtio-gpu). Other cards
 * keep their drivers. Expectations that name the driver (`expect: { driver: vdisp }` of a
 * readlink) follow it too.
 */
import { DRIVERS } from "../drivers/mod.js";
import type { DeviceSpec } from "../world/mod.js";
import type { Expectation, Scenario, Step } from "./scenario.js";

/** The driver a scenario is about: its first card's. */
export function subjectDriver(sc: Scenario): string | undefined {
  return sc.world.devices[0]?.driver;
}

interface Names {
  readonly from: string;
  readonly to: string;
  readonly fromPath: string;
  readonly toPath: string;
}

function pciName(driver: string): string {
  const info = DRIVERS.get(driver);
  if (info === undefined) throw new RangeError(`unknown driver "${driver}"`);
  return info.driver.name;
}

function renamed(v: unknown, n: Names): unknown {
  if (v === n.from) return n.to;
  if (typeof v === "string") {
    // A path, or a text that quotes one (a daemon's printed write: `wrote <path> "<value>"`).
    if (v === n.fromPath) return n.toPath;
    return v.includes(`${n.fromPath}/`) ? v.replaceAll(`${n.fromPath}/`, `${n.toPath}/`) : v;
  }
  if (Array.isArray(v)) {
    const out = v.map((x) => renamed(x, n));
    return out.every((x, i) => x === v[i]) ? v : out;
  }
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    // Only what changes is copied: an object with nothing to rename stays the same object,
    // with whatever the loader attached to it.
    const changed = Object.entries(v).flatMap(([k, x]) => {
      const y = renamed(x, n);
      return y === x ? [] : [[k, y] as const];
    });
    if (changed.length === 0) return v;
    const copy: Record<PropertyKey, unknown> = Object.create(Object.getPrototypeOf(v) as object);
    for (const k of Reflect.ownKeys(v)) copy[k] = (v as Record<PropertyKey, unknown>)[k];
    for (const [k, y] of changed) copy[k] = y;
    return copy;
  }
  return v;
}

function expectation(e: Expectation, n: Names): Expectation {
  if (e.kind === "fields") return { ...e, fields: renamed(e.fields, n) as typeof e.fields };
  if (e.kind === "one-of") return { ...e, options: e.options.map((o) => expectation(o, n)) };
  return e;
}

function step(s: Step, n: Names): Step {
  const args = renamed(s.args, n);
  return s.expect === undefined ? { ...s, args } : { ...s, args, expect: expectation(s.expect, n) };
}

/**
 * The scenario with `driver` in place of its subject driver; the same object when they are
 * the same. @throws RangeError for a driver that is not built in, or a scenario with no card.
 */
export function scenarioWithDriver(sc: Scenario, driver: string): Scenario {
  const from = subjectDriver(sc);
  if (from === undefined) throw new RangeError(`${sc.file}: no card in world.devices`);
  if (from === driver) return sc;
  const n: Names = {
    from, to: driver,
    fromPath: `/sys/bus/pci/drivers/${pciName(from)}`, toPath: `/sys/bus/pci/drivers/${pciName(driver)}`,
  };
  const devices: DeviceSpec[] = sc.world.devices.map((d) =>
    (d.driver === from ? { ...d, driver } : d));
  return {
    ...sc,
    driver,
    world: { ...sc.world, devices },
    programs: sc.programs.map((p) => ({ ...p, steps: p.steps.map((s) => step(s, n)) })),
    checks: {
      ...sc.checks,
      uevents: sc.checks.uevents.map((u) => ({ ...u, keys: renamed(u.keys, n) as typeof u.keys })),
      devices: sc.checks.devices.map((d) => (d.driver === from ? { ...d, driver } : d)),
    },
  };
}
