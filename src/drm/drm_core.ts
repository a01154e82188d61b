/**
 * State the DRM core keeps once per kernel: the unplug SRCU domain shared by every device
 * (R96), the minor tables, the connector name counters, and the char major 226.
 *
 * @see drm_core_init() in drivers/gpu/drm/drm_drv.c
 */
import type { Kernel } from "../base/mod.js";
import { SrcuStruct } from "../kernel/mod.js";
import { DRM_MAJOR } from "../uapi/mod.js";
import { drmStubOpen } from "./file.js";
import { MinorTable } from "./minor_table.js";

export const ACCEL_MAJOR = 261;

export class DrmCore {
  /** drm_unplug_srcu: one domain for all DRM devices. */
  readonly unplugSrcu: SrcuStruct;
  /** drm_minors_xa: primary and render minors. */
  readonly minors: MinorTable;
  /** accel_minors_xa. */
  readonly accelMinors: MinorTable;
  /** drm_connector_ida per connector type: the N in "Virtual-N". */
  readonly connectorIdas = new Map<number, Set<number>>();
  private nextDeviceId = 1;

  constructor(readonly kernel: Kernel) {
    this.unplugSrcu = new SrcuStruct(kernel.sim, "drm_unplug_srcu");
    this.minors = new MinorTable(kernel.profile, "drm");
    this.accelMinors = new MinorTable(kernel.profile, "accel");
    kernel.vfs.registerChrdev(DRM_MAJOR, (devt, file, flags) => drmStubOpen(this, devt, file, flags));
    kernel.vfs.registerChrdev(ACCEL_MAJOR, (devt, file, flags) => drmStubOpen(this, devt, file, flags));
    kernel.sysfs.add("/sys/class/drm/version", { kind: "attr", show: () => "drm 1.1.0 20060810\n" });
    kernel.sysfs.mkdirs("/sys/class/accel");
  }

  allocDeviceId(): number {
    return this.nextDeviceId++;
  }
}

const cores = new WeakMap<Kernel, DrmCore>();

/** The DRM core of `kernel`, initialised on first use (like the drm module being loaded). */
export function drmCore(kernel: Kernel): DrmCore {
  let core = cores.get(kernel);
  if (core === undefined) {
    core = new DrmCore(kernel);
    cores.set(kernel, core);
  }
  return core;
}
