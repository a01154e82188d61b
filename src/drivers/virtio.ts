/**
 * The virtio bus, as far as one transport (virtio-pci) and one driver (virtio_gpu) need it.
 * A virtio device is a struct device `virtio<N>` below its transport's device (N the lowest
 * free index), on the bus "virtio", whose uevents carry MODALIAS=virtio:d<device>v<vendor>. It
 * reaches its device's registers through its transport's config operations.
 *
 * Registering one adds it (its sysfs directory, /sys/bus/virtio/devices/virtio<N>, the `add`
 * uevent) and binds the first of the transport's drivers whose id table matches (`bind`);
 * unregistering it unbinds it (the driver's remove, `unbind`), deletes it (`remove`) and frees
 * its index at once. The model has no separate virtio driver registration: a transport comes
 * loaded with the virtio drivers it binds (see virtio_pci.ts).
 *
 * @see drivers/virtio/virtio.c: register_virtio_device(), unregister_virtio_device(),
 *      virtio_dev_match(), virtio_uevent()
 */
import {
  Device,
  deviceAdd,
  deviceDel,
  deviceDriverAttach,
  deviceReleaseDriver,
  perKernel,
  putDevice,
  type DeviceDriver,
  type Kernel,
} from "../base/mod.js";
import { assert, KObject, step, type Task } from "../kernel/mod.js";
import type { ErrnoName, UeventAction } from "../uapi/mod.js";

/** The virtio device id of a GPU. @see VIRTIO_ID_GPU in include/uapi/linux/virtio_ids.h */
export const VIRTIO_ID_GPU = 16;
/** Matches any vendor in a virtio driver's id table. */
export const VIRTIO_DEV_ANY_ID = 0xffffffff;

/** @see struct virtio_device_id */
export interface VirtioDeviceId {
  readonly device: number;
  readonly vendor: number;
}

/** How a virtio device reaches its registers: its transport's. @see struct virtio_config_ops */
export interface VirtioConfigOps {
  /** Reads a 32-bit word of the device-specific configuration. @see virtio_cread() */
  read32(vdev: VirtioDevice, offset: number): Task<number>;
  /** The device's feature bits (the low 32). @see get_features */
  getFeatures(vdev: VirtioDevice): Task<number>;
  /** Resets the device: it stops using its queues. @see virtio_reset_device() */
  reset(vdev: VirtioDevice): Task<void>;
}

/** A driver on the virtio bus. @see struct virtio_driver */
export interface VirtioDriver extends DeviceDriver {
  readonly busName: "virtio";
  readonly idTable: readonly VirtioDeviceId[];
  probe(vdev: VirtioDevice): Task<0 | ErrnoName>;
  remove(vdev: VirtioDevice): Task<void>;
}

/** struct virtio_device: the device a virtio driver binds. */
export class VirtioDevice extends Device {
  static override readonly fixedFields = ["index", "id", "config"];
  constructor(
    kernel: Kernel,
    readonly index: number,
    parent: Device,
    readonly id: VirtioDeviceId,
    readonly config: VirtioConfigOps,
  ) {
    super(kernel, { name: `virtio${index}`, parent, subsystem: "virtio", busUevent: virtioUevent });
  }
}

function hex8(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, "0");
}

/** @see virtio_uevent() */
function virtioUevent(dev: Device, _action: UeventAction): [string, string][] {
  assert(dev instanceof VirtioDevice, `Cannot make the virtio uevent of ${dev.name}: not virtio`);
  return [["MODALIAS", `virtio:d${hex8(dev.id.device)}v${hex8(dev.id.vendor)}`]];
}

/** The bus's state: the indexes in use (virtio_index_ida). */
export class VirtioBus extends KObject {
  readonly indexes = new Set<number>();
  constructor(kernel: Kernel) {
    const label = "virtio bus";
    const mem = kernel.sim.alloc("bus_type", { kind: "static", label, persistent: true });
    super(kernel.sim, mem);
  }
}

/** The virtio bus of `kernel`, made on first use (as the virtio core is initialised). */
export const virtioBus = perKernel((kernel) => new VirtioBus(kernel));

/** @see virtio_id_match() */
function virtioIdMatch(drv: VirtioDriver, id: VirtioDeviceId): boolean {
  const vendorOk = (e: VirtioDeviceId): boolean =>
    e.vendor === VIRTIO_DEV_ANY_ID || e.vendor === id.vendor;
  return drv.idTable.some((e) => e.device === id.device && vendorOk(e));
}

function busLink(vdev: VirtioDevice): string {
  return `/sys/bus/virtio/devices/${vdev.name}`;
}

/**
 * Makes and adds the virtio device `id` below `parent`, then binds the first of `drivers`
 * that matches it. A failed probe leaves the device added and unbound (as in Linux: the
 * transport's probe still succeeds).
 * @see register_virtio_device()
 */
export function* registerVirtioDevice(
  parent: Device,
  id: VirtioDeviceId,
  config: VirtioConfigOps,
  drivers: readonly VirtioDriver[],
): Task<VirtioDevice> {
  const kernel = parent.kernel;
  const bus = virtioBus(kernel);
  yield step("register_virtio_device", [parent], [bus]);
  let index = 0;
  while (bus.indexes.has(index)) index++; // ida_alloc(): the lowest free
  bus.indexes.add(index);
  const vdev = new VirtioDevice(kernel, index, parent, id, config);
  yield* deviceAdd(vdev, busLink(vdev));
  const drv = drivers.find((d) => virtioIdMatch(d, id));
  if (drv !== undefined) yield* deviceDriverAttach(vdev, drv);
  return vdev;
}

/**
 * Unbinds the device's driver (its remove, `unbind`), deletes the device (`remove`), frees its
 * index and drops the transport's reference. @see unregister_virtio_device()
 */
export function* unregisterVirtioDevice(vdev: VirtioDevice): Task<void> {
  yield* deviceReleaseDriver(vdev);
  yield* deviceDel(vdev, busLink(vdev));
  const bus = virtioBus(vdev.kernel);
  yield step("unregister_virtio_device", [], [bus, vdev]);
  bus.indexes.delete(vdev.index);
  putDevice(vdev);
}
