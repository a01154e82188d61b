/**
 * @internal Fixtures of the syncobj tests: a device whose driver has DRIVER_SYNCOBJ, an open
 * render node, and fences put in syncobjs and signalled later, as a driver would.
 */
import assert from "node:assert/strict";
import {
  dmaFenceInit,
  dmaFencePut,
  dmaFenceSetError,
  dmaFenceSignal,
  type DmaFence,
} from "../base/mod.js";
import { nsFromTicks, sleepTicks, step, type Task } from "../kernel/mod.js";
import { DRM_IOCTL_SYNCOBJ_CREATE, type Fd } from "../uapi/mod.js";
import { answer, drmMachine, TEST_DRIVER, type DrmMachine } from "./_testing.js";
import type { DrmDevice } from "./device.js";
import { DRIVER_SYNCOBJ } from "./drm_driver.js";
import { drmSyncobjLookup, drmSyncobjReplaceFence } from "./syncobj.js";

const SYNCOBJ_DRIVER = {
  ...TEST_DRIVER,
  name: "drmtestsync",
  features: TEST_DRIVER.features | DRIVER_SYNCOBJ,
};
export const OPS = { getDriverName: () => "drmtest", getTimelineName: () => "ring" };

export function setup(): { m: DrmMachine; dev: DrmDevice; fd: Fd } {
  const m = drmMachine();
  const dev = m.registered(SYNCOBJ_DRIVER);
  return { m, dev, fd: m.open("/dev/dri/renderD128") };
}

export function create(m: DrmMachine, fd: Fd, flags = 0): number {
  const r = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, { flags });
  assert.ok(r.ok, `SYNCOBJ_CREATE: ${answer(r)}`);
  return r.value.handle;
}

/** A new unsignalled fence put in the syncobj `handle` (as a driver's submission would). */
export function attachFence(m: DrmMachine, fd: Fd, handle: number): DmaFence {
  const syncobj = drmSyncobjLookup(m.file(fd), handle);
  assert.ok(syncobj !== undefined);
  const fence = dmaFenceInit(m.kernel, OPS, 1n, BigInt(handle));
  const old = syncobj.fence === null ? [] : [syncobj.fence];
  m.runIn("test_submit", [syncobj, fence, ...old], function* () {
    yield* drmSyncobjReplaceFence(syncobj, fence);
    yield* dmaFencePut(fence); // the syncobj holds it now
  });
  return fence;
}

/** Signals `fence` (with `error`, if given) `afterTicks` from now, from a task of its own. */
export function signalLater(
  m: DrmMachine,
  fence: DmaFence,
  afterTicks: number,
  error?: number,
): void {
  m.sim.spawn("irq", (function* (): Task<void> {
    yield sleepTicks(afterTicks, step("test_irq", [], [fence]));
    if (error !== undefined) dmaFenceSetError(fence, error);
    dmaFenceSignal(fence);
  })());
}

/** The absolute CLOCK_MONOTONIC time `us` microseconds from now, in nanoseconds. */
export function inUs(m: DrmMachine, us: number): bigint {
  return nsFromTicks(m.sim.now + us);
}
