/**
 * Masters and authentication at the errno boundary: SET_MASTER, DROP_MASTER, GET_MAGIC and
 * AUTH_MAGIC as drm_auth.c answers them, with the DRM core's own state (the device's master,
 * the files' flags) checked beside each answer.
 *
 * @see drivers/gpu/drm/drm_auth.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_IOCTL_AUTH_MAGIC,
  DRM_IOCTL_DROP_MASTER,
  DRM_IOCTL_GET_CLIENT,
  DRM_IOCTL_GET_MAGIC,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_SET_MASTER,
} from "../uapi/mod.js";
import { answer, drmMachine } from "./_testing.js";
import { drmIsCurrentMaster } from "./auth.js";

/** A KMS device and two card files: `a` opened first (the master), `b` its client. */
function twoFiles() {
  const m = drmMachine();
  const dev = m.kms();
  const a = m.open("/dev/dri/card0");
  const b = m.open("/dev/dri/card0");
  return { m, dev, a, b, fa: m.file(a), fb: m.file(b) };
}

describe("drm_setmaster_ioctl(), drm_dropmaster_ioctl()", () => {
  test("the first opener is master; a file that never was master gets EACCES for SET_MASTER and DROP_MASTER", () => {
    const { m, dev, a, b, fa, fb } = twoFiles();
    assert.equal(dev.master, fa.master);
    assert.deepEqual([fa.isMaster, fa.wasMaster, fa.authenticated], [true, true, true]);
    assert.deepEqual([fb.isMaster, fb.wasMaster, fb.authenticated], [false, false, false]);
    assert.equal(fb.master, fa.master, "a later opener is a client of the current master");
    assert.equal(answer(m.ioctl(b, DRM_IOCTL_SET_MASTER)), "EACCES");
    assert.equal(answer(m.ioctl(b, DRM_IOCTL_DROP_MASTER)), "EACCES");
    assert.equal(
      answer(m.ioctl(a, DRM_IOCTL_SET_MASTER)),
      "ok",
      "SET_MASTER by the current master is a no-op",
    );
    assert.equal(dev.master, fa.master);
    assert.equal(m.finishClean(dev), 0);
  });

  test("DROP_MASTER leaves no master; dropping again is EINVAL; SET_MASTER with none takes it back", () => {
    const { m, dev, a, fa } = twoFiles();
    assert.equal(answer(m.ioctl(a, DRM_IOCTL_DROP_MASTER)), "ok");
    assert.equal(dev.master, null);
    assert.equal(drmIsCurrentMaster(fa), false);
    assert.equal(
      answer(m.ioctl(a, DRM_IOCTL_MODE_ATOMIC)),
      "EACCES",
      "DRM_MASTER ioctls need the current master",
    );
    assert.equal(answer(m.ioctl(a, DRM_IOCTL_DROP_MASTER)), "EINVAL");
    assert.equal(answer(m.ioctl(a, DRM_IOCTL_SET_MASTER)), "ok");
    assert.equal(dev.master, fa.master, "the file's own master object comes back");
    assert.equal(drmIsCurrentMaster(fa), true);
    assert.equal(m.finishClean(dev), 0);
  });

  test("SET_MASTER is EBUSY while another file is master", () => {
    const { m, dev, a, fa } = twoFiles();
    assert.equal(answer(m.ioctl(a, DRM_IOCTL_DROP_MASTER)), "ok");
    const c = m.open("/dev/dri/card0");
    const fc = m.file(c);
    assert.equal(dev.master, fc.master, "an open with no master makes a new one");
    assert.notEqual(fc.master, fa.master);
    assert.equal(answer(m.ioctl(a, DRM_IOCTL_SET_MASTER)), "EBUSY");
    assert.equal(dev.master, fc.master, "EBUSY changed nothing");
    assert.equal(answer(m.ioctl(c, DRM_IOCTL_DROP_MASTER)), "ok");
    assert.equal(answer(m.ioctl(a, DRM_IOCTL_SET_MASTER)), "ok");
    assert.equal(dev.master, fa.master);
    assert.equal(m.finishClean(dev), 0);
  });

  test("closing the master's file leaves the device without master; the next opener becomes one", () => {
    const { m, dev, a, b, fb } = twoFiles();
    assert.deepEqual(
      m.run(() => m.proc.close(a)),
      { ok: true, value: 0 },
    );
    assert.equal(dev.master, null);
    assert.equal(fb.isMaster, false, "an older client does not become master");
    const c = m.open("/dev/dri/card0");
    assert.equal(drmIsCurrentMaster(m.file(c)), true);
    assert.equal(answer(m.ioctl(b, DRM_IOCTL_SET_MASTER)), "EACCES");
    assert.equal(m.finishClean(dev), 0);
  });

  test("render nodes have no master and may not ask for one", () => {
    const m = drmMachine();
    const dev = m.kms();
    const r = m.open("/dev/dri/renderD128");
    assert.equal(m.file(r).master, null);
    assert.equal(answer(m.ioctl(r, DRM_IOCTL_SET_MASTER)), "EACCES");
    assert.equal(answer(m.ioctl(r, DRM_IOCTL_GET_MAGIC)), "EACCES");
    assert.equal(dev.master, null, "nobody opened the card node");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("drm_getmagic(), drm_authmagic()", () => {
  test("a magic from another file's GET_MAGIC authenticates that file, once", () => {
    const { m, dev, a, b, fb } = twoFiles();
    const magic = m.ioctl(b, DRM_IOCTL_GET_MAGIC);
    assert.deepEqual(magic, { ok: true, value: { magic: 1 } });
    assert.deepEqual(
      m.ioctl(b, DRM_IOCTL_GET_MAGIC),
      { ok: true, value: { magic: 1 } },
      "a file keeps its magic",
    );
    assert.deepEqual(m.ioctl(b, DRM_IOCTL_GET_CLIENT, { idx: 0 }), {
      ok: true,
      value: { auth: 0, pid: BigInt(m.proc.pid), uid: 65534n, magic: 0n, iocs: 0n },
    });
    assert.equal(answer(m.ioctl(a, DRM_IOCTL_AUTH_MAGIC, { magic: 1 })), "ok");
    assert.equal(fb.authenticated, true);
    assert.deepEqual(m.ioctl(b, DRM_IOCTL_GET_CLIENT, { idx: 0 }), {
      ok: true,
      value: { auth: 1, pid: BigInt(m.proc.pid), uid: 65534n, magic: 0n, iocs: 0n },
    });
    assert.equal(
      answer(m.ioctl(b, DRM_IOCTL_GET_CLIENT, { idx: 1 })),
      "EINVAL",
      "only the caller itself, client 0",
    );
    assert.equal(
      answer(m.ioctl(a, DRM_IOCTL_AUTH_MAGIC, { magic: 1 })),
      "EINVAL",
      "a magic authenticates once",
    );
    assert.equal(
      fb.master?.magicMap.get(1),
      null,
      "the used magic stays taken until its file closes",
    );
    assert.equal(m.finishClean(dev), 0);
  });

  test("an unknown magic, or magic 0, is EINVAL and authenticates nobody", () => {
    const { m, dev, a, b, fb } = twoFiles();
    assert.deepEqual(m.ioctl(b, DRM_IOCTL_GET_MAGIC), { ok: true, value: { magic: 1 } });
    assert.equal(answer(m.ioctl(a, DRM_IOCTL_AUTH_MAGIC, { magic: 2 })), "EINVAL");
    assert.equal(answer(m.ioctl(a, DRM_IOCTL_AUTH_MAGIC, { magic: 0 })), "EINVAL");
    assert.equal(fb.authenticated, false);
    assert.equal(m.finishClean(dev), 0);
  });

  test("AUTH_MAGIC needs the current master (EACCES for a client, and for a master that dropped)", () => {
    const { m, dev, a, b, fb } = twoFiles();
    assert.deepEqual(m.ioctl(a, DRM_IOCTL_GET_MAGIC), { ok: true, value: { magic: 1 } });
    assert.deepEqual(
      m.ioctl(b, DRM_IOCTL_GET_MAGIC),
      { ok: true, value: { magic: 2 } },
      "magics are the lowest free from 1, per master",
    );
    assert.equal(answer(m.ioctl(b, DRM_IOCTL_AUTH_MAGIC, { magic: 2 })), "EACCES");
    assert.equal(answer(m.ioctl(a, DRM_IOCTL_DROP_MASTER)), "ok");
    assert.equal(answer(m.ioctl(a, DRM_IOCTL_AUTH_MAGIC, { magic: 2 })), "EACCES");
    assert.equal(fb.authenticated, false);
    assert.equal(m.finishClean(dev), 0);
  });

  test("a closed file's magic is free again", () => {
    const { m, dev, b, fb } = twoFiles();
    assert.deepEqual(m.ioctl(b, DRM_IOCTL_GET_MAGIC), { ok: true, value: { magic: 1 } });
    const master = fb.master;
    assert.deepEqual(
      m.run(() => m.proc.close(b)),
      { ok: true, value: 0 },
    );
    assert.equal(master?.magicMap.has(1), false);
    const c = m.open("/dev/dri/card0");
    assert.deepEqual(m.ioctl(c, DRM_IOCTL_GET_MAGIC), { ok: true, value: { magic: 1 } });
    assert.equal(m.finishClean(dev), 0);
  });
});
