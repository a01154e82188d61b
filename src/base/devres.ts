/**
 * devres: resources bound to a device's driver binding. They are released newest first when
 * the driver is unbound (after remove() returned) or when probe fails.
 *
 * @see devm_add_action(), devm_add_action_or_reset(), devm_kzalloc(), devres_release_all()
 *      in drivers/base/devres.c
 */
import { step, type Allocation, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import type { Device } from "./device.js";

export type DevresAction = () => Task<void> | void;

export interface DevresNode {
  readonly name: string;
  readonly release: DevresAction;
  /** The tracking node's own memory. */
  readonly mem: Allocation;
}

function* runAction(action: DevresAction): Task<void> {
  const r = action();
  if (r !== undefined) yield* r;
}

/** Registers `action` to run at unbind. Returns 0 or ENOMEM (fault point "devm_add_action"). */
export function devmAddAction(dev: Device, name: string, action: DevresAction): 0 | ErrnoName {
  const kernel = dev.kernel;
  if (kernel.faults.shouldFail("devm_add_action")) return "ENOMEM";
  const mem = kernel.sim.alloc("devres", { label: `devres ${name} (${dev.name})`, owner: dev });
  dev.devres.push({ name, release: action, mem });
  return 0;
}

/** Like devmAddAction, but runs `action` at once if registering fails. */
export function* devmAddActionOrReset(dev: Device, name: string, action: DevresAction): Task<0 | ErrnoName> {
  const err = devmAddAction(dev, name, action);
  if (err !== 0) yield* runAction(action);
  return err;
}

/**
 * Allocates memory that is freed at unbind. Returns null on failure (fault point "devm_kzalloc").
 * Whatever lives in it must not be reachable from userspace after unbind.
 */
export function devmKzalloc(dev: Device, type: string, label?: string): Allocation | null {
  const kernel = dev.kernel;
  if (kernel.faults.shouldFail("devm_kzalloc")) return null;
  // One allocation, like Linux: the devres node carries the data, so freeing the node frees it.
  const mem = kernel.sim.alloc(type, { kind: "devm_kzalloc", label: label ?? `${type} (devm ${dev.name})`, owner: dev });
  dev.devres.push({ name: `devm_kzalloc ${type}`, release: () => undefined, mem });
  return mem;
}

/** Releases every devres entry, newest first. @see devres_release_all() */
export function* devresReleaseAll(dev: Device): Task<void> {
  const release = step("devres_release_all", [], [dev]);
  // A step per node: an action may sleep, and what it touches besides the device is its own.
  for (yield release; dev.devres.length > 0; yield release) {
    const node = dev.devres.pop()!;
    yield* runAction(node.release);
    dev.kernel.sim.free(node.mem, "devres_release_all");
  }
}
