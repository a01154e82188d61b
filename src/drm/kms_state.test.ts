/**
 * The checks of an atomic request at the ioctl boundary, one at a time (each request below
 * breaks one rule and keeps every other): the plane's (a framebuffer with a CRTC, a CRTC it
 * can go on, a source inside the framebuffer, no scaling, the whole mode covered), the
 * connector's (an encoder that can drive the CRTC), the CRTC's (a connector and the primary
 * plane exactly while it is on, none unregistered) and what counts as a modeset, which only
 * ALLOW_MODESET may do.
 *
 * @see drm_atomic_check_only(), drm_atomic_plane_check(), drm_atomic_crtc_check(),
 *      drm_atomic_crtc_needs_modeset(), drm_atomic_helper_check_modeset() and
 *      drm_simple_kms_crtc_check() in drivers/gpu/drm
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_TEST_ONLY,
  type Fd,
} from "../uapi/mod.js";
import { addFb, atomicClient, atomicRequest, kmsPipes, modeBlob, pipeIds, type PipeIds } from "./_test_kms.js";
import { answer, drmMachine, TEST_KMS_DRIVER, TEST_PIPE_FUNCS, type DrmMachine } from "./_testing.js";
import { drmDevRegister, drmDevUnregister, type DrmDevice } from "./device.js";
import { drmmConnectorInit, drmmModeConfigInit } from "./kms.js";
import { MODE_1024X768_60, type ModeInfo } from "./kms_objects.js";
import { drmSimpleDisplayPipeInit } from "./kms_pipe.js";

type Props = Readonly<Record<string, bigint>>;

/** A request of objects with their properties by name. */
function request(ids: PipeIds, objs: readonly (readonly [number, Props])[]) {
  return atomicRequest(objs.map(([id, props]) => [id, Object.entries(props).map(([n, v]) => [ids.prop(n), v] as const)]));
}

/** A plane showing `fb` on `crtc` over the whole 1024x768 mode, with `over` changed. */
function planeOn(crtc: number, fb: number, over: Props = {}): Props {
  return {
    FB_ID: BigInt(fb), CRTC_ID: BigInt(crtc),
    SRC_X: 0n, SRC_Y: 0n, SRC_W: 1024n << 16n, SRC_H: 768n << 16n,
    CRTC_X: 0n, CRTC_Y: 0n, CRTC_W: 1024n, CRTC_H: 768n,
    ...over,
  };
}

const PLANE_OFF: Props = { FB_ID: 0n, CRTC_ID: 0n };
const MODESET = DRM_MODE_ATOMIC_ALLOW_MODESET;

/** Pipe `ids` lit: its connector on its CRTC, the CRTC on with `mode`, its plane showing `fb`. */
function lit(ids: PipeIds, mode: number, fb: number, plane: Props = planeOn(ids.crtc, fb)): [number, Props][] {
  return [
    [ids.connector, { CRTC_ID: BigInt(ids.crtc) }],
    [ids.crtc, { ACTIVE: 1n, MODE_ID: BigInt(mode) }],
    [ids.plane, plane],
  ];
}

/** Pipe `ids` off: no connector, CRTC off without a mode, plane off. */
function off(ids: PipeIds): [number, Props][] {
  return [
    [ids.connector, { CRTC_ID: 0n }],
    [ids.crtc, { ACTIVE: 0n, MODE_ID: 0n }],
    [ids.plane, PLANE_OFF],
  ];
}

interface Pipes {
  m: DrmMachine;
  dev: DrmDevice;
  fd: Fd;
  fb: number;
  mode: number;
  /** TEST_ONLY with `flags` added (ALLOW_MODESET by default): "ok" or the errno. */
  check(objs: readonly (readonly [number, Props])[], flags?: number): string;
  /** A real commit (blocking) with `flags` added. */
  commit(objs: readonly (readonly [number, Props])[], flags?: number): string;
}

function pipesOf(m: DrmMachine, dev: DrmDevice): Pipes {
  const fd = atomicClient(m);
  const ids = pipeIds(dev);
  const run = (base: number) => (objs: readonly (readonly [number, Props])[], flags = MODESET) =>
    answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: base | flags, ...request(ids, objs) }));
  return { m, dev, fd, fb: addFb(m, fd), mode: modeBlob(m, fd), check: run(DRM_MODE_ATOMIC_TEST_ONLY), commit: run(0) };
}

function pipes(n: number): Pipes {
  const m = drmMachine();
  return pipesOf(m, kmsPipes(m, n));
}

/** A blob of `mode` (a copy: another object than any blob's) made by `fd`. */
function blobOf(m: DrmMachine, fd: Fd, mode: ModeInfo): number {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_CREATEPROPBLOB, { data: [{ ...mode }], length: 68 });
  assert.ok(r.ok, answer(r));
  return r.value.blob_id;
}

/** 1024x768 at 70 Hz (VESA): the same size as the test mode, other timings. */
const MODE_1024X768_70: ModeInfo = { ...MODE_1024X768_60, clock: 75000, htotal: 1328, vrefresh: 70 };

describe("a plane's checks (drm_atomic_plane_check())", () => {
  test("a framebuffer needs a CRTC and a CRTC a framebuffer; the plane off needs neither; the CRTC must be one the plane can go on", () => {
    const p = pipes(2);
    const [a, b] = [pipeIds(p.dev, 0), pipeIds(p.dev, 1)];
    assert.equal(p.check([[a.plane, { FB_ID: BigInt(p.fb) }]]), "EINVAL", "a framebuffer on no CRTC");
    assert.equal(p.check([[a.plane, PLANE_OFF]], 0), "ok", "off, as it is");
    assert.equal(p.check(lit(b, p.mode, p.fb)), "ok", "pipe 1 lit by its own plane");
    assert.equal(
      p.check([...lit(b, p.mode, p.fb), [a.plane, planeOn(b.crtc, p.fb)]]),
      "EINVAL",
      "plane 0 on CRTC 1, which it cannot go on",
    );
    assert.equal(p.check([[a.plane, planeOn(a.crtc, p.fb)]]), "EINVAL", "on a CRTC that is off");
    assert.equal(p.m.finishClean(p.dev), 0);
  });

  test("the source must lie inside the framebuffer (ENOSPC), be the size of the destination, which covers the mode (EINVAL)", () => {
    const p = pipes(1);
    const a = pipeIds(p.dev);
    const with_ = (over: Props) => p.check(lit(a, p.mode, p.fb, planeOn(a.crtc, p.fb, over)));
    assert.equal(with_({}), "ok");
    assert.equal(with_({ SRC_X: 1n << 16n }), "ENOSPC", "one column past the right edge");
    assert.equal(with_({ SRC_Y: 1n << 16n }), "ENOSPC", "one row past the bottom");
    assert.equal(with_({ SRC_W: 1025n << 16n, CRTC_W: 1025n }), "ENOSPC", "wider than the framebuffer");
    assert.equal(with_({ SRC_H: 769n << 16n, CRTC_H: 769n }), "ENOSPC", "taller than the framebuffer");
    assert.equal(with_({ SRC_W: 512n << 16n }), "EINVAL", "scaled across");
    assert.equal(with_({ SRC_H: 384n << 16n }), "EINVAL", "scaled down");
    assert.equal(with_({ CRTC_X: 1n }), "EINVAL", "moved right");
    assert.equal(with_({ CRTC_Y: 1n }), "EINVAL", "moved down");
    assert.equal(with_({ SRC_W: 512n << 16n, CRTC_W: 512n }), "EINVAL", "half the mode's width");
    assert.equal(with_({ SRC_H: 384n << 16n, CRTC_H: 384n }), "EINVAL", "half the mode's height");
    assert.equal(p.m.finishClean(p.dev), 0);
  });
});

describe("a connector's and a CRTC's checks", () => {
  test("a CRTC on needs a connector its encoder can drive and the primary plane; off, it needs neither", () => {
    const p = pipes(2);
    const [a, b] = [pipeIds(p.dev, 0), pipeIds(p.dev, 1)];
    const [conn, crtc, plane] = lit(b, p.mode, p.fb);
    assert.equal(p.check([crtc!, plane!]), "EINVAL", "no connector");
    assert.equal(p.check([conn!, crtc!]), "EINVAL", "no plane");
    assert.equal(p.check([[a.connector, { CRTC_ID: BigInt(b.crtc) }], crtc!, plane!]), "EINVAL", "connector 0's encoder drives CRTC 0 only");
    assert.equal(p.check(off(a), 0), "ok", "off, and no modeset: it was off");
    assert.equal(p.check([[a.crtc, { ACTIVE: 0n }]], 0), "ok", "a CRTC staying off is no modeset");
    assert.equal(
      p.check([...lit(a, p.mode, p.fb), [b.crtc, { ACTIVE: 1n }]]),
      "EINVAL",
      "pipe 0 is fine, CRTC 1 is on without a mode: the request fails",
    );
    assert.equal(p.commit(lit(a, p.mode, p.fb)), "ok");
    assert.equal(p.check(off(a)), "ok", "turned off");
    assert.equal(p.m.finishClean(p.dev), 0);
  });

  test("R63: once the device is unregistered its connectors are, and no CRTC goes on through them; turning off still works", () => {
    const p = pipes(1);
    const a = pipeIds(p.dev);
    assert.equal(p.commit(lit(a, p.mode, p.fb, planeOn(a.crtc, p.fb))), "ok");
    p.m.runIn("test_remove", [p.dev], () => drmDevUnregister(p.dev));
    assert.equal(p.check([[a.crtc, { ACTIVE: 0n }]]), "ok", "off while routed to an unregistered connector");
    assert.equal(p.commit(off(a)), "ok");
    assert.equal(p.check(lit(a, p.mode, p.fb)), "EINVAL", "on again through it");
    assert.equal(p.m.finishClean(p.dev), 0);
  });
});

/**
 * One pipe, with a second connector that has no pipe of its own but can take the pipe's
 * encoder (a clone output).
 */
function cloneDevice(m: DrmMachine): DrmDevice {
  const dev = m.alloc(TEST_KMS_DRIVER);
  assert.equal(drmmModeConfigInit(dev), 0);
  const first = drmmConnectorInit(dev, "Virtual");
  const second = drmmConnectorInit(dev, "Virtual");
  assert.ok(typeof first !== "string" && typeof second !== "string");
  drmSimpleDisplayPipeInit(dev, first, TEST_PIPE_FUNCS);
  second.encoderIds.push(...first.encoderIds);
  assert.equal(m.run(() => drmDevRegister(dev)), 0);
  return dev;
}

describe("a modeset (drm_atomic_crtc_needs_modeset()) needs ALLOW_MODESET", () => {
  test("turning a lit CRTC inactive, then disabling it, is each a modeset", () => {
    const p = pipes(1);
    const a = pipeIds(p.dev);
    assert.equal(p.commit(lit(a, p.mode, p.fb)), "ok");
    assert.equal(p.check([[a.crtc, { ACTIVE: 0n }]], 0), "EINVAL", "active changes");
    assert.equal(p.commit([[a.crtc, { ACTIVE: 0n }]]), "ok", "enabled, not active");
    assert.equal(p.check(off(a), 0), "EINVAL", "enable changes");
    assert.equal(p.check(off(a)), "ok");
    assert.equal(p.m.finishClean(p.dev), 0);
  });

  test("another mode is a modeset; another blob with the same timings is not; nor is a new framebuffer", () => {
    const p = pipes(1);
    const a = pipeIds(p.dev);
    assert.equal(p.commit(lit(a, p.mode, p.fb)), "ok");
    const same = blobOf(p.m, p.fd, MODE_1024X768_60);
    const other = blobOf(p.m, p.fd, MODE_1024X768_70);
    assert.equal(p.check([[a.crtc, { MODE_ID: BigInt(same) }]], 0), "ok");
    assert.equal(p.check([[a.crtc, { MODE_ID: BigInt(other) }]], 0), "EINVAL");
    assert.equal(p.check([[a.crtc, { MODE_ID: BigInt(other) }]]), "ok");
    assert.equal(p.check([[a.plane, planeOn(a.crtc, addFb(p.m, p.fd))]], 0), "ok", "a flip");
    assert.equal(p.m.finishClean(p.dev), 0);
  });

  test("another connector joining the CRTC is a modeset; one that stays off it is not", () => {
    const m = drmMachine();
    const p = pipesOf(m, cloneDevice(m));
    const a = pipeIds(p.dev);
    const second = p.dev.modeConfig!.connectors[1]!.id;
    assert.equal(p.commit(lit(a, p.mode, p.fb)), "ok");
    assert.equal(p.check([[a.plane, planeOn(a.crtc, addFb(m, p.fd))]], 0), "ok", "a flip, the second connector left out");
    assert.equal(p.check([[second, { CRTC_ID: 0n }]], 0), "ok", "the second connector stays off");
    assert.equal(p.check([[second, { CRTC_ID: BigInt(a.crtc) }]], 0), "EINVAL", "it joins: a modeset");
    assert.equal(p.check([[second, { CRTC_ID: BigInt(a.crtc) }]]), "ok", "cloned");
    assert.equal(m.finishClean(p.dev), 0);
  });
});
