/**
 * State the DRM core keeps once per kernel: the unplug SRCU domain shared by every device
 * (R96), the minor tables, the connector name counters, and the char major 226.
 *
 * @see drm_core_init() in drivers/gpu/drm/drm_drv.c
 */
import type { Kernel } from "../base/mod.js";
import { KObject, SrcuStruct } from "../kernel/mod.js";
import { DRM_MAJOR } from "../uapi/mod.js";
import { drmStubOpen } from "./file.js";
import { MinorTable } from "./minor_table.js";

export const ACCEL_MAJOR = 261;

export class DrmCore extends KObject {
  static readonly fixedFields = ["kernel", "unplugSrcu", "minors", "accelMinors"];
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
    // The DRM module's globals live as long as the kernel.
    super(kernel.sim, kernel.sim.alloc("drm_core", { kind: "static", label: "drm core", persistent: true }));
    this.unplugSrcu = new SrcuStruct(kernel.sim, "drm_unplug_srcu");
    this.minors = new MinorTable(kernel.sim, kernel.profile, "drm");
    this.accelMinors = new MinorTable(kernel.sim, kernel.profile, "accel");
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
