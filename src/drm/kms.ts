/**
 * The modeset objects the lifetime contract touches: the mode-object id space (properties
 * take ids too), CRTCs, encoders, planes, and connectors with their sysfs devices, their
 * names from a kernel-wide counter per connector type, and their hotplug uevents.
 *
 * Connectors register after the minors and unregister before them (R5, R62).
 *
 * @see drm_mode_config.c, drm_connector.c, drm_sysfs.c in drivers/gpu/drm
 */
import { Device, deviceAdd, deviceDel, kobjectUevent, putDevice } from "../base/mod.js";
import { assert, embeddedStruct, lookupStep, step, type Task } from "../kernel/mod.js";
import { fail, ok, type DRM_IOCTL_MODE_GETRESOURCES, type ErrnoName, type IoctlIn, type IoctlOutOf, type SysResult } from "../uapi/mod.js";
import { drmCore } from "./drm_core.js";
import { drmLeaseHeld } from "./drm_lease.js";
import type { DrmDevice } from "./device.js";
import { DRIVER_MODESET, drmCoreCheckFeature } from "./drm_driver.js";
import type { DrmFile } from "./file.js";
import type { DrmFramebuffer } from "./kms_fb.js";
import { MODE_1024X768_60, type DrmCrtc, type DrmEncoder, type DrmModeBlob, type DrmPlane, type ModeInfo } from "./kms_objects.js";
import { drmmAddAction } from "./managed.js";

/**
 * The properties drm_mode_create_standard_properties() creates (connector ones first), in
 * creation order; each takes a mode-object id before any CRTC or connector does. With these
 * 31, a driver's first connector gets id 32, as Linux 6.12 reports for bochs.
 */
export const STANDARD_PROPERTIES: readonly string[] = [
  "EDID", "DPMS", "PATH", "TILE", "link-status", "non-desktop", "HDR_OUTPUT_METADATA",
  "type", "SRC_X", "SRC_Y", "SRC_W", "SRC_H", "CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H",
  "FB_ID", "IN_FENCE_FD", "OUT_FENCE_PTR", "CRTC_ID", "FB_DAMAGE_CLIPS", "ACTIVE", "MODE_ID",
  "VRR_ENABLED", "DEGAMMA_LUT", "DEGAMMA_LUT_SIZE", "CTM", "GAMMA_LUT", "GAMMA_LUT_SIZE",
  "IN_FORMATS", "SIZE_HINTS",
];

/** DRM_MODE_CONNECTOR_* values and the names used in connector names. */
export const CONNECTOR_TYPES = { VGA: 1, DVII: 2, Composite: 5, DisplayPort: 10, "HDMI-A": 11, eDP: 14, Virtual: 15, DSI: 16, USB: 20 } as const;
export type ConnectorTypeName = keyof typeof CONNECTOR_TYPES;

export type ConnectorStatus = "connected" | "disconnected" | "unknown";

export class DrmConnector {
  kdev: Device | null = null;
  registered = false;
  status: ConnectorStatus = "unknown";
  /** The CRTC it is routed to (its atomic state's crtc), 0 for none. */
  crtcId = 0;
  /** The encoders that can drive it (drm_connector_attach_encoder()). */
  readonly encoderIds: number[] = [];
  /** The modes its last probe found. */
  readonly modes: ModeInfo[] = [];
  constructor(
    readonly dev: DrmDevice,
    readonly id: number,
    readonly typeName: ConnectorTypeName,
    readonly typeId: number,
  ) {}

  get name(): string {
    return `${this.typeName}-${this.typeId}`;
  }
}
embeddedStruct(DrmConnector);

export class ModeConfig {
  readonly minWidth = 0;
  readonly maxWidth = 8192;
  readonly minHeight = 0;
  readonly maxHeight = 8192;
  private nextObjectId = 1;
  readonly properties = new Map<string, number>();
  readonly crtcs: DrmCrtc[] = [];
  readonly encoders: DrmEncoder[] = [];
  readonly planes: DrmPlane[] = [];
  readonly connectors: DrmConnector[] = [];
  /** Every framebuffer, of every file, oldest first (mode_config.fb_list). */
  readonly fbs: DrmFramebuffer[] = [];
  readonly blobs = new Map<number, DrmModeBlob>();
  /** The driver's pipeline operations (drm_simple_display_pipe_funcs), once it has set them. */
  funcs: KmsPipeFuncs | null = null;
  /** Commits made so far (names the commit tasks). */
  commits = 0;

  allocObjectId(): number {
    return this.nextObjectId++;
  }
}
embeddedStruct(ModeConfig);

/**
 * What a display driver does to its hardware when a commit changes its pipeline: each touches
 * the hardware only inside its own drm_dev_enter() (docs/requirements.md#r8), and `vblank` says
 * whether the CRTC has vblank interrupts (without, events go out when the commit is done, as
 * drm_atomic_helper_fake_vblank() sends them).
 * @see struct drm_simple_display_pipe_funcs
 */
export interface KmsPipeFuncs {
  readonly vblank: boolean;
  /**
   * Whether the display still raises its vblank interrupt (hardware that is gone does not);
   * without it, events armed for a vblank wait for the CRTC's disable. Absent: always.
   */
  vblankIrq?(dev: DrmDevice): boolean;
  enable(dev: DrmDevice, crtc: DrmCrtc, mode: ModeInfo): Task<void>;
  disable(dev: DrmDevice, crtc: DrmCrtc): Task<void>;
  /** Shows framebuffer `fb` (null: none) on `plane`. */
  update(dev: DrmDevice, plane: DrmPlane, fb: DrmFramebuffer | null): Task<void>;
  /**
   * Whether a display is on `connector` now, as its hot-plug detection finds it (the
   * connector's detect). Absent: the driver has no hot-plug detection.
   */
  detect?(dev: DrmDevice, connector: DrmConnector): Task<ConnectorStatus>;
}

/** @see drmm_mode_config_init() */
export function drmmModeConfigInit(dev: DrmDevice): 0 | ErrnoName {
  const mc = new ModeConfig();
  for (const name of STANDARD_PROPERTIES) mc.properties.set(name, mc.allocObjectId());
  dev.modeConfig = mc;
  return drmmAddAction(dev, "drm_mode_config_init_release", () => {
    dev.modeConfig = null;
  });
}

/** The device's mode config; a device without one is a model bug here. */
export function modeConfigOf(dev: DrmDevice): ModeConfig {
  const mc = dev.modeConfig;
  assert(mc !== null, `Cannot use the mode objects of ${dev.label}: mode config not initialised`);
  return mc;
}

/**
 * Creates a connector. Its type index is the lowest free one kernel-wide and is given back
 * only at the final put (drmm), so a replacement device probed while the old one is still
 * referenced gets "Virtual-2".
 * @see drmm_connector_init()
 */
export function drmmConnectorInit(dev: DrmDevice, typeName: ConnectorTypeName): DrmConnector | ErrnoName {
  const mc = modeConfigOf(dev);
  const id = mc.allocObjectId();
  const ida = drmCore(dev.kernel).connectorIdas;
  const type = CONNECTOR_TYPES[typeName];
  let used = ida.get(type);
  if (used === undefined) ida.set(type, (used = new Set()));
  let typeId = 1;
  while (used.has(typeId)) typeId++;
  used.add(typeId);
  const connector = new DrmConnector(dev, id, typeName, typeId);
  mc.connectors.push(connector);
  const core = drmCore(dev.kernel);
  const err = drmmAddAction(dev, "drm_connector_cleanup_action", function* () {
    const kdev = connector.kdev;
    yield step("drm_connector_cleanup", [], kdev === null ? [dev, core] : [dev, core, kdev]);
    used.delete(typeId);
    if (kdev !== null) putDevice(kdev);
  });
  if (err === 0) return connector;
  // drmm_add_action_or_reset(): the connector is cleaned up at once when its action cannot be added.
  mc.connectors.splice(mc.connectors.indexOf(connector), 1);
  used.delete(typeId);
  return err;
}

/** Registers every connector (an `add` uevent each), then probes them. @see drm_modeset_register_all() */
export function* drmModesetRegisterAll(dev: DrmDevice): Task<void> {
  const mc = dev.modeConfig;
  const primary = dev.primary;
  if (mc === null || primary?.kdev == null) return;
  const registerAll = step("drm_modeset_register_all", [primary], [dev]);
  yield registerAll;
  for (const c of mc.connectors) {
    c.kdev = new Device(dev.kernel, { name: `${primary.name}-${c.name}`, parent: primary.kdev, subsystem: "drm", devtype: "drm_connector" });
    yield* deviceAdd(c.kdev, `/sys/class/drm/${primary.name}-${c.name}`);
    yield registerAll;
    c.registered = true;
  }
  // The first detect after registration finds each connector connected and reports it
  // (inferred from Linux 6.12: `change` with HOTPLUG=1 CONNECTOR=<id> right after the add).
  for (const c of mc.connectors) {
    if (c.status === "connected") continue;
    c.status = "connected";
    // A virtual connector has no EDID: its probe finds the preferred mode of
    // drm_add_modes_noedid() only, as the model's displays offer one.
    if (c.modes.length === 0) c.modes.push(MODE_1024X768_60);
    yield* drmSysfsConnectorHotplugEvent(c);
    yield registerAll;
  }
}

/** Marks connectors unregistered and removes their sysfs devices. @see drm_modeset_unregister_all() */
export function* drmModesetUnregisterAll(dev: DrmDevice): Task<void> {
  const mc = dev.modeConfig;
  if (mc === null) return;
  const unregisterAll = step("drm_modeset_unregister_all", [], [dev]);
  yield unregisterAll;
  const primary = dev.primary;
  for (const c of mc.connectors) {
    if (!c.registered || c.kdev === null) continue;
    c.registered = false;
    yield* deviceDel(c.kdev, primary === null ? undefined : `/sys/class/drm/${primary.name}-${c.name}`);
    yield unregisterAll;
  }
}

/** `change` on the card with HOTPLUG=1 and CONNECTOR=<id> (R93). */
export function* drmSysfsConnectorHotplugEvent(c: DrmConnector): Task<void> {
  const primary = c.dev.primary;
  if (primary !== null) yield lookupStep("drm_sysfs_connector_hotplug_event", () => ({ reads: primary.kdev === null ? [c.dev, primary] : [c.dev, primary, primary.kdev], writes: [] }));
  const kdev = primary?.kdev;
  if (kdev == null || !kdev.added) return;
  yield* kobjectUevent(kdev, "change", [["HOTPLUG", "1"], ["CONNECTOR", String(c.id)]]);
}

/** `change` on the card with HOTPLUG=1 only. @see drm_sysfs_hotplug_event() */
export function* drmSysfsHotplugEvent(dev: DrmDevice): Task<void> {
  const primary = dev.primary;
  if (primary !== null) yield lookupStep("drm_sysfs_hotplug_event", () => ({ reads: primary.kdev === null ? [dev, primary] : [dev, primary, primary.kdev], writes: [] }));
  const kdev = primary?.kdev;
  if (kdev == null || !kdev.added) return;
  yield* kobjectUevent(kdev, "change", [["HOTPLUG", "1"]]);
}

/** The first `count` ids: what a user array of `count` entries receives. */
function idsUpTo(ids: readonly number[], count: number): readonly number[] {
  return ids.length <= count ? ids : ids.slice(0, count);
}

/**
 * The device's framebuffers (of this file), CRTCs, connectors and encoders: the counts, and
 * the ids as far as the caller's arrays (their counts on input) hold them.
 * @see drm_mode_getresources() in drivers/gpu/drm/drm_mode_config.c
 */
export function drmModeGetresources(file: DrmFile, arg: IoctlIn<typeof DRM_IOCTL_MODE_GETRESOURCES>): SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_GETRESOURCES>> {
  const dev = file.dev;
  if (!drmCoreCheckFeature(dev, DRIVER_MODESET)) return fail("EOPNOTSUPP");
  const mc = dev.modeConfig;
  assert(mc !== null, "Cannot get resources: a modesetting device without mode config");
  // The caller's own framebuffers (file->fbs), as drm_mode_getresources() lists them.
  const fbs = mc.fbs.filter((fb) => fb.file === file).map((fb) => fb.id);
  // A lessee sees its own CRTCs and connectors only (every encoder).
  const connectors = mc.connectors.map((c) => c.id).filter((id) => drmLeaseHeld(file, id));
  const crtcs = mc.crtcs.map((c) => c.id).filter((id) => drmLeaseHeld(file, id));
  const encoders = mc.encoders.map((e) => e.id);
  return ok({
    fb_id_ptr: idsUpTo(fbs, arg.count_fbs),
    crtc_id_ptr: idsUpTo(crtcs, arg.count_crtcs),
    connector_id_ptr: idsUpTo(connectors, arg.count_connectors),
    encoder_id_ptr: idsUpTo(encoders, arg.count_encoders),
    count_fbs: fbs.length,
    count_crtcs: crtcs.length,
    count_connectors: connectors.length,
    count_encoders: encoders.length,
    min_width: mc.minWidth,
    max_width: mc.maxWidth,
    min_height: mc.minHeight,
    max_height: mc.maxHeight,
  });
}
