/**
 * @internal Fixtures for the KMS tests: a master client with the atomic cap, a framebuffer
 * of a dumb buffer the size of the display's mode, the ids of the test device's pipe and
 * properties, atomic requests written as objects with their properties, and the events read
 * back from a file.
 */
import { assert } from "../kernel/mod.js";
import {
  decodeDrmEventVblank,
  DRM_CLIENT_CAP,
  DRM_FORMAT_XRGB8888,
  DRM_IOCTL_MODE_ADDFB2,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_IOCTL_SET_CLIENT_CAP,
  type DrmEventVblank,
  type Fd,
} from "../uapi/mod.js";
import { drmDevRegister, type DrmDevice } from "./device.js";
import { drmmConnectorInit, drmmModeConfigInit, type KmsPipeFuncs } from "./kms.js";
import { MODE_1024X768_60 } from "./kms_objects.js";
import { drmSimpleDisplayPipeInit } from "./kms_pipe.js";
import { TEST_KMS_DRIVER, TEST_PIPE_FUNCS, type DrmMachine } from "./_testing.js";

/** Opens card0 (the first opener is master) and sets the atomic cap (universal planes with it). */
export function atomicClient(m: DrmMachine, path = "/dev/dri/card0"): Fd {
  const fd = m.open(path);
  const r = m.ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, { capability: DRM_CLIENT_CAP.DRM_CLIENT_CAP_ATOMIC, value: 1n });
  assert(r.ok, "Cannot set the atomic cap in test");
  return fd;
}

/** A dumb buffer of `width`x`height` (32 bpp) as a framebuffer of `fd`; returns its id. */
export function addFb(m: DrmMachine, fd: Fd, width = 1024, height = 768): number {
  const bo = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width, height, bpp: 32 });
  assert(bo.ok, "Cannot create a dumb buffer in test");
  const fb = m.ioctl(fd, DRM_IOCTL_MODE_ADDFB2, {
    width,
    height,
    pixel_format: DRM_FORMAT_XRGB8888,
    handles: [bo.value.handle, 0, 0, 0],
    pitches: [bo.value.pitch, 0, 0, 0],
  });
  assert(fb.ok, `Cannot add a framebuffer in test: ${fb.ok ? "" : fb.errno}`);
  return fb.value.fb_id;
}

/** A blob of the display's mode (for MODE_ID), made by `fd`; returns its id. */
export function modeBlob(m: DrmMachine, fd: Fd): number {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_CREATEPROPBLOB, { data: [MODE_1024X768_60], length: 68 });
  assert(r.ok, "Cannot create a mode blob in test");
  return r.value.blob_id;
}

/**
 * A registered KMS device with `n` connectors, each on a pipe of its own driven by `funcs`
 * (connector ids 32, 33, ...; pipe i's plane can go on CRTC i only).
 */
export function kmsPipes(m: DrmMachine, n: number, funcs: KmsPipeFuncs = TEST_PIPE_FUNCS): DrmDevice {
  const dev = m.alloc(TEST_KMS_DRIVER);
  assert(drmmModeConfigInit(dev) === 0, "Cannot init test mode config");
  const connectors = Array.from({ length: n }, () => drmmConnectorInit(dev, "Virtual"));
  for (const c of connectors) {
    assert(typeof c !== "string", "Cannot init test connector");
    drmSimpleDisplayPipeInit(dev, c, funcs);
  }
  assert(m.run(() => drmDevRegister(dev)) === 0, "Cannot register test KMS device");
  return dev;
}

/** The ids of a pipe of the test device (the first by default) and of its properties by name. */
export interface PipeIds {
  readonly connector: number;
  readonly plane: number;
  readonly crtc: number;
  readonly encoder: number;
  prop(name: string): number;
}

export function pipeIds(dev: DrmDevice, i = 0): PipeIds {
  const mc = dev.modeConfig;
  assert(mc !== null, "Cannot read the pipe of a device without mode config");
  return {
    connector: mc.connectors[i]!.id,
    plane: mc.planes[i]!.id,
    crtc: mc.crtcs[i]!.id,
    encoder: mc.encoders[i]!.id,
    prop: (name) => {
      const id = mc.properties.get(name);
      assert(id !== undefined, `Cannot find property ${name} in test`);
      return id;
    },
  };
}

/** An atomic client of `dev` with a framebuffer and a mode blob: what a commit test starts from. */
export interface AtomicSetup {
  readonly m: DrmMachine;
  readonly dev: DrmDevice;
  readonly fd: Fd;
  readonly ids: PipeIds;
  readonly fb: number;
  readonly mode: number;
}

export function atomicSetup(m: DrmMachine, dev: DrmDevice): AtomicSetup {
  const fd = atomicClient(m);
  return { m, dev, fd, ids: pipeIds(dev), fb: addFb(m, fd), mode: modeBlob(m, fd) };
}

/** An atomic request: each object id with its (property id, value) pairs. */
export function atomicRequest(objs: readonly (readonly [number, readonly (readonly [number, bigint])[]])[]) {
  return {
    count_objs: objs.length,
    objs_ptr: objs.map(([id]) => id),
    count_props_ptr: objs.map(([, props]) => props.length),
    props_ptr: objs.flatMap(([, props]) => props.map(([p]) => p)),
    prop_values_ptr: objs.flatMap(([, props]) => props.map(([, v]) => v)),
  };
}

/**
 * The request that lights the pipe up: the connector on the CRTC, the CRTC active with mode
 * blob `modeId`, the plane showing `fb` over the whole 1024x768 mode.
 */
export function modesetRequest(ids: PipeIds, modeId: number, fb: number) {
  const p = (n: string) => ids.prop(n);
  return atomicRequest([
    [ids.connector, [[p("CRTC_ID"), BigInt(ids.crtc)]]],
    [ids.crtc, [[p("ACTIVE"), 1n], [p("MODE_ID"), BigInt(modeId)]]],
    [ids.plane, [
      [p("FB_ID"), BigInt(fb)], [p("CRTC_ID"), BigInt(ids.crtc)],
      [p("SRC_X"), 0n], [p("SRC_Y"), 0n], [p("SRC_W"), 1024n << 16n], [p("SRC_H"), 768n << 16n],
      [p("CRTC_X"), 0n], [p("CRTC_Y"), 0n], [p("CRTC_W"), 1024n], [p("CRTC_H"), 768n],
    ]],
  ]);
}

/** Reads one event from `fd` (waiting at most `timeoutMs`): the event, or the errno. */
export function readEvent(m: DrmMachine, fd: Fd, timeoutMs = 100): DrmEventVblank | string {
  const r = m.run(() => m.proc.read(fd, 4096, timeoutMs));
  if (!r.ok) return r.errno;
  const e = decodeDrmEventVblank(r.value);
  assert(e !== null, "Cannot decode the event read in test");
  return e;
}

/** Requests `reqs` as one: their objects, counts and properties one after another. */
export function joinRequests(...reqs: readonly ReturnType<typeof atomicRequest>[]) {
  return {
    count_objs: reqs.reduce((n, r) => n + r.count_objs, 0),
    objs_ptr: reqs.flatMap((r) => r.objs_ptr),
    count_props_ptr: reqs.flatMap((r) => r.count_props_ptr),
    props_ptr: reqs.flatMap((r) => r.props_ptr),
    prop_values_ptr: reqs.flatMap((r) => r.prop_values_ptr),
  };
}
