/**
 * What a world is made of: the seed, the kernel profile and version, the devices on the bus
 * with their drivers, and how the simulation schedules and traces.
 */
import { DEFAULT_KERNEL_VERSION, type KernelVersion, type ProfileName } from "../base/mod.js";
import type { ExecutionObserver, FootprintMode, SchedulingStrategy, TraceLevel } from "../kernel/mod.js";

export interface DeviceSpec {
  /** PCI bus address, e.g. "0000:01:00.0"; bus N > 0 sits behind root port 0000:00:0N.0. */
  readonly bdf: string;
  /** A built-in driver name (see src/drivers/mod.ts), e.g. "vdisp", "vdisp-devm", "bochs-drm". */
  readonly driver: string;
  /** VRAM of the card. @default 16 MiB */
  readonly vramBytes?: number;
}

export interface WorldOptions {
  readonly seed: number;
  readonly profile?: ProfileName;
  readonly kernel?: KernelVersion;
  readonly devices?: readonly DeviceSpec[];
  /**
   * "random" (seeded), an explicit decision list to replay, or a strategy of the caller's (an
   * explorer's). @default "random"
   */
  readonly schedule?: "random" | "fifo" | { readonly replay: readonly number[] } | SchedulingStrategy;
  /** Hears of every transition (an explorer; see src/kernel/observer.ts). */
  readonly observer?: ExecutionObserver;
  /**
   * What the trace records: "steps" is everything, every kernel step included (the HTML
   * timeline draws them); "events" is everything but the steps, for long or many runs (see
   * docs/benchmarks.md). Findings, kmsg and calls are recorded at both. @default "steps"
   */
  readonly trace?: TraceLevel;
  /** The SEQNUM of the first uevent. @default 1 */
  readonly firstSeqnum?: number;
  /** A task blocked longer than this is reported hung. @default 120 s */
  readonly hungTaskMs?: number;
  /**
   * "check": every access a kernel step makes is compared with its declared footprint, and an
   * undeclared one is a finding (slower; on in the tests). @default defaultFootprintMode()
   */
  readonly footprints?: FootprintMode;
}

export const DEFAULT_DEVICES: readonly DeviceSpec[] = [{ bdf: "0000:01:00.0", driver: "vdisp" }];

export function resolvedProfile(o: WorldOptions): { readonly name: ProfileName; readonly version: KernelVersion } {
  return { name: o.profile ?? "mainline", version: o.kernel ?? DEFAULT_KERNEL_VERSION };
}

export function formatWorldOptions(o: WorldOptions): string {
  const p = resolvedProfile(o);
  const devs = (o.devices ?? DEFAULT_DEVICES).map((d) => `${d.bdf}=${d.driver}`).join(",");
  const checked = o.footprints === "check" ? " footprints=checked" : "";
  return `seed=${o.seed} profile=${p.name} kernel=${p.version} devices=${devs}${checked}`;
}
