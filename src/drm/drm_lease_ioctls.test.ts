/**
 * The lease ioctls' argument checks and output arrays: EOPNOTSUPP on a device without
 * modesetting, EINVAL for a nonzero pad, only the first object_count ids of a lease request
 * read, the lessee list and the owner's object list cut at the caller's counts, and the
 * owner's list holding every mode object (properties, connectors, CRTCs, planes, encoders,
 * framebuffers, blobs) in ascending order; the lessee's file authenticated, and its CRTC
 * masks renumbered over the CRTCs it leases.
 *
 * @see drm_mode_create_lease_ioctl(), drm_mode_list_lessees_ioctl(),
 *      drm_mode_get_lease_ioctl(), drm_mode_revoke_lease_ioctl() in drivers/gpu/drm/drm_lease.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_IOCTL_GET_CLIENT,
  DRM_IOCTL_MODE_CREATE_LEASE,
  DRM_IOCTL_MODE_GETENCODER,
  DRM_IOCTL_MODE_GET_LEASE,
  DRM_IOCTL_MODE_LIST_LESSEES,
  DRM_IOCTL_MODE_REVOKE_LEASE,
  type Fd,
} from "../uapi/mod.js";
import { addFb, kmsPipes, modeBlob, pipeIds } from "./_test_kms.js";
import { answer, drmMachine, type DrmMachine } from "./_testing.js";

/** Leases `ids` (the first `count` of them) from `fd`: the lessee's fd and id, or the errno. */
function lease(m: DrmMachine, fd: Fd, ids: readonly number[], count = ids.length) {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_LEASE, { object_ids: ids, object_count: count });
  return r.ok ? { fd: r.value.fd as Fd, id: r.value.lessee_id } : r.errno;
}

describe("the lease ioctls' argument checks", () => {
  test("a device without modesetting has no leases: each of the four ioctls is EOPNOTSUPP for its master", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/card0");
    assert.deepEqual(
      {
        create: lease(m, fd, [1, 2]),
        list: answer(m.ioctl(fd, DRM_IOCTL_MODE_LIST_LESSEES)),
        get: answer(m.ioctl(fd, DRM_IOCTL_MODE_GET_LEASE)),
        revoke: answer(m.ioctl(fd, DRM_IOCTL_MODE_REVOKE_LEASE, { lessee_id: 1 })),
      },
      { create: "EOPNOTSUPP", list: "EOPNOTSUPP", get: "EOPNOTSUPP", revoke: "EOPNOTSUPP" },
    );
    assert.equal(m.finishClean(dev), 0);
  });

  test("LIST_LESSEES and GET_LEASE with a nonzero pad are EINVAL", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    assert.deepEqual(
      [
        answer(m.ioctl(fd, DRM_IOCTL_MODE_LIST_LESSEES, { pad: 1 })),
        answer(m.ioctl(fd, DRM_IOCTL_MODE_GET_LEASE, { pad: 1 })),
        answer(m.ioctl(fd, DRM_IOCTL_MODE_LIST_LESSEES)),
        answer(m.ioctl(fd, DRM_IOCTL_MODE_GET_LEASE)),
      ],
      ["EINVAL", "EINVAL", "ok", "ok"],
    );
    assert.equal(m.finishClean(dev), 0);
  });

  test("CREATE_LEASE reads only the first object_count ids of object_ids", () => {
    const m = drmMachine();
    const dev = kmsPipes(m, 2);
    const [a, b] = [pipeIds(dev, 0), pipeIds(dev, 1)];
    const owner = m.open("/dev/dri/card0");
    const l = lease(m, owner, [a.connector, a.crtc, 999, b.crtc], 2);
    assert.ok(typeof l !== "string", String(l));
    const got = m.ioctl(l.fd, DRM_IOCTL_MODE_GET_LEASE, { count_objects: 8 });
    assert.deepEqual(got, {
      ok: true,
      value: { objects_ptr: [a.connector, a.plane, a.crtc], count_objects: 3 },
    });
    const second = lease(m, owner, [b.connector, b.crtc]);
    assert.notEqual(typeof second, "string", "B's CRTC was not leased");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("the lease ioctls' output arrays", () => {
  test("LIST_LESSEES fills lessees_ptr as far as count_lessees reaches and counts them all", () => {
    const m = drmMachine();
    const dev = kmsPipes(m, 2);
    const [a, b] = [pipeIds(dev, 0), pipeIds(dev, 1)];
    const owner = m.open("/dev/dri/card0");
    assert.ok(typeof lease(m, owner, [a.connector, a.crtc]) !== "string");
    assert.ok(typeof lease(m, owner, [b.connector, b.crtc]) !== "string");
    const list = (count_lessees: number) =>
      m.ioctl(owner, DRM_IOCTL_MODE_LIST_LESSEES, { count_lessees });
    assert.deepEqual(list(0), { ok: true, value: { lessees_ptr: [], count_lessees: 2 } });
    assert.deepEqual(list(1), { ok: true, value: { lessees_ptr: [1], count_lessees: 2 } });
    assert.deepEqual(list(4), { ok: true, value: { lessees_ptr: [1, 2], count_lessees: 2 } });
    assert.equal(m.finishClean(dev), 0);
  });

  test("an owner's GET_LEASE lists every mode object ascending: properties, pipes, framebuffers and blobs", () => {
    const m = drmMachine();
    const dev = kmsPipes(m, 2);
    const owner = m.open("/dev/dri/card0");
    const fb = addFb(m, owner);
    const blob = modeBlob(m, owner);
    assert.deepEqual([fb, blob], [40, 41], "the ids after the two pipes' 39");
    const all = Array.from({ length: 41 }, (_, i) => i + 1);
    const r = m.ioctl(owner, DRM_IOCTL_MODE_GET_LEASE, { count_objects: 64 });
    assert.deepEqual(r, { ok: true, value: { objects_ptr: all, count_objects: 41 } });
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("the lessee's file", () => {
  test("is authenticated (GET_CLIENT's auth 1), as a master's file is; a client of the owner is not", () => {
    const m = drmMachine();
    const dev = m.kms();
    const ids = pipeIds(dev);
    const owner = m.open("/dev/dri/card0");
    const client = m.open("/dev/dri/card0");
    const l = lease(m, owner, [ids.connector, ids.crtc]);
    assert.ok(typeof l !== "string", String(l));
    const auth = (fd: Fd) => {
      const r = m.ioctl(fd, DRM_IOCTL_GET_CLIENT, { idx: 0 });
      return r.ok ? r.value.auth : r.errno;
    };
    assert.deepEqual([auth(owner), auth(client), auth(l.fd)], [1, 0, 1]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("leasing both CRTCs, the second is bit 1 of an encoder's possible_crtcs, as for the owner", () => {
    const m = drmMachine();
    const dev = kmsPipes(m, 2);
    const [a, b] = [pipeIds(dev, 0), pipeIds(dev, 1)];
    const owner = m.open("/dev/dri/card0");
    const l = lease(m, owner, [a.connector, a.crtc, b.connector, b.crtc]);
    assert.ok(typeof l !== "string", String(l));
    const possible = (fd: Fd, encoder_id: number) => {
      const r = m.ioctl(fd, DRM_IOCTL_MODE_GETENCODER, { encoder_id });
      return r.ok ? r.value.possible_crtcs : r.errno;
    };
    assert.deepEqual([possible(owner, a.encoder), possible(owner, b.encoder)], [1, 2]);
    assert.deepEqual([possible(l.fd, a.encoder), possible(l.fd, b.encoder)], [1, 2]);
    assert.equal(m.finishClean(dev), 0);
  });
});
