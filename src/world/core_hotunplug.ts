/**
 * Runs IGT core_hotunplug subtests against a fresh world, and shuts the world down so that
 * leaks count too.
 */
import { findingClass, findingSummary, type Finding } from "../kernel/mod.js";
import { runSubtest, type SubtestName, type SubtestResult } from "../userspace/mod.js";
import type { KernelVersion, ProfileName } from "../base/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import { World } from "./world.js";

export interface SubtestRun {
  readonly subtest: SubtestName;
  readonly driver: string;
  readonly seed: number;
  readonly result: SubtestResult;
  readonly findings: readonly Finding[];
  readonly world: World;
}

export interface SubtestRunOptions {
  readonly driver: string;
  readonly seed?: number;
  readonly profile?: ProfileName;
  readonly kernel?: KernelVersion;
  readonly bdf?: string;
  /** Replays this decision list instead of scheduling from the seed (see World.endSchedule). */
  readonly decisions?: readonly number[];
}

export function runCoreHotunplug(subtest: SubtestName, o: SubtestRunOptions): SubtestRun {
  const seed = o.seed ?? 1;
  const bdf = o.bdf ?? "0000:01:00.0";
  const world = new World({
    seed,
    devices: [{ bdf, driver: o.driver }],
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.kernel ? { kernel: o.kernel } : {}),
    ...(o.decisions !== undefined ? { schedule: { replay: o.decisions } } : {}),
  });
  world.bootSync();
  // IGT finds the driver through the PCI device's sysfs: its PCI driver's name (virtio-pci
  // for virtio-gpu), not the model's name for the device.
  const driver = pciDriverOf(o.driver);
  const program = world.spawnProgram("core_hotunplug", (sys) => runSubtest(sys, { bdf, driver }, subtest));
  world.run();
  if (program.task.error !== undefined) throw program.task.error;
  world.shutdownSync();
  world.endSchedule();
  return { subtest, driver: o.driver, seed, result: program.task.result as SubtestResult, findings: world.sim.findings, world };
}

/** The name of the PCI driver a built-in driver binds with (its /sys/bus/pci/drivers entry). */
function pciDriverOf(name: string): string {
  const info = DRIVERS.get(name);
  if (info === undefined) throw new RangeError(`Cannot run core_hotunplug: unknown driver "${name}"`);
  return info.driver.name;
}

export function describeFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${findingClass(f)}: ${findingSummary(f)}`).join("\n");
}
