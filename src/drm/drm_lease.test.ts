/**
 * DRM leases at the ioctl boundary: CREATE_LEASE's checks and errnos, the lessee's file (a new
 * fd, master of what it leases), what a lessee sees and may change (ENOENT, EACCES), the
 * lessee table (LIST_LESSEES, GET_LEASE), revocation, the LEASE=1 uevent at a lessee's end
 * (R92, its bytes), and leases after unplug in both profiles (R43, R91).
 *
 * @see drivers/gpu/drm/drm_lease.c; kernel-contract.md section 8
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_CLIENT_CAP,
  DRM_IOCTL_DROP_MASTER,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATE_LEASE,
  DRM_IOCTL_MODE_GET_LEASE,
  DRM_IOCTL_MODE_GETCONNECTOR,
  DRM_IOCTL_MODE_GETCRTC,
  DRM_IOCTL_MODE_GETENCODER,
  DRM_IOCTL_MODE_GETPLANE,
  DRM_IOCTL_MODE_GETRESOURCES,
  DRM_IOCTL_MODE_LIST_LESSEES,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  DRM_IOCTL_MODE_PAGE_FLIP,
  DRM_IOCTL_MODE_REVOKE_LEASE,
  DRM_IOCTL_MODE_SETCRTC,
  DRM_IOCTL_SET_CLIENT_CAP,
  DRM_IOCTL_SET_MASTER,
  DRM_MODE_DISCONNECTED,
  formatUeventRaw,
  O_CLOEXEC,
  type Fd,
} from "../uapi/mod.js";
import { atomicRequest } from "./_test_kms.js";
import { answer, drmMachine, TEST_KMS_DRIVER, TEST_PIPE_FUNCS, type DrmMachine } from "./_testing.js";
import { drmDevRegister, drmDevUnplug, type DrmDevice } from "./device.js";
import { drmmConnectorInit, drmmModeConfigInit } from "./kms.js";
import { MODE_1024X768_60 } from "./kms_objects.js";
import { drmSimpleDisplayPipeInit } from "./kms_pipe.js";

const UAPI_DOC = { name: "uapi-doc", version: "7.1" } as const;

/**
 * A KMS device with two pipes. Ids: properties 1-31, connectors A 32 and B 33, then per pipe
 * plane, CRTC, encoder: A 34, 35, 36; B 37, 38, 39.
 */
function twoPipes(m: DrmMachine): DrmDevice {
  const dev = m.alloc(TEST_KMS_DRIVER);
  assert.equal(drmmModeConfigInit(dev), 0);
  const a = drmmConnectorInit(dev, "Virtual");
  const b = drmmConnectorInit(dev, "Virtual");
  assert.ok(typeof a !== "string" && typeof b !== "string");
  drmSimpleDisplayPipeInit(dev, a, TEST_PIPE_FUNCS);
  drmSimpleDisplayPipeInit(dev, b, TEST_PIPE_FUNCS);
  assert.equal(m.run(() => drmDevRegister(dev)), 0);
  return dev;
}

const A = { connector: 32, plane: 34, crtc: 35, encoder: 36 } as const;
const B = { connector: 33, plane: 37, crtc: 38, encoder: 39 } as const;

function lease(m: DrmMachine, fd: Fd, ids: readonly number[], flags = 0) {
  return m.ioctl(fd, DRM_IOCTL_MODE_CREATE_LEASE, { object_ids: ids, object_count: ids.length, flags });
}

/** Leases `ids` from `fd`; returns the lessee's fd and id. */
function leaseOk(m: DrmMachine, fd: Fd, ids: readonly number[]): { fd: Fd; id: number } {
  const r = lease(m, fd, ids);
  assert.ok(r.ok, `lease of ${ids.join(",")}: ${answer(r)}`);
  return { fd: r.value.fd as Fd, id: r.value.lessee_id };
}

function getLease(m: DrmMachine, fd: Fd): number[] | string {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_GET_LEASE, { count_objects: 64 });
  return r.ok ? [...r.value.objects_ptr] : r.errno;
}

function lessees(m: DrmMachine, fd: Fd): number[] | string {
  const r = m.ioctl(fd, DRM_IOCTL_MODE_LIST_LESSEES, { count_lessees: 8 });
  return r.ok ? [...r.value.lessees_ptr] : r.errno;
}

/** Every uevent from now on, in the fixture form (NUL as `|`). */
function watch(m: DrmMachine): string[] {
  const out: string[] = [];
  m.kernel.uevents.subscribe({ deliver: (ev) => out.push(formatUeventRaw(ev)) });
  return out;
}

describe("DRM_IOCTL_MODE_CREATE_LEASE", () => {
  test("the master leases a connector and a CRTC (with its primary plane): a new fd, lessee 1, listed by LIST_LESSEES", () => {
    const m = drmMachine();
    const dev = twoPipes(m);
    const owner = m.open("/dev/dri/card0");
    const r = lease(m, owner, [A.connector, A.crtc], O_CLOEXEC);
    assert.ok(r.ok, answer(r));
    assert.deepEqual(r.value, { lessee_id: 1, fd: owner + 1 });
    const fdinfo = m.run(() => m.proc.readFile(`/proc/self/fdinfo/${r.value.fd}`));
    assert.deepEqual(fdinfo, { ok: true, value: "pos:\t0\nflags:\t02100002\n" }, "O_RDWR|O_LARGEFILE, and O_CLOEXEC as asked");
    const kfile = m.proc.fds.get(r.value.fd as Fd);
    assert.equal(kfile?.path, "/dev/dri/card0", "a second open of the same node");
    assert.notEqual(kfile, m.proc.fds.get(owner));
    assert.deepEqual(getLease(m, r.value.fd as Fd), [A.connector, A.plane, A.crtc]);
    assert.deepEqual(lessees(m, owner), [1]);
    const all = m.ioctl(owner, DRM_IOCTL_MODE_GET_LEASE, { count_objects: 2 });
    assert.deepEqual(all, { ok: true, value: { objects_ptr: [1, 2], count_objects: 39 } }, "an owner controls every object");
    assert.equal(m.finishClean(dev), 0);
  });

  test("each refusal has Linux's errno", () => {
    const m = drmMachine();
    const dev = twoPipes(m);
    const owner = m.open("/dev/dri/card0");
    const client = m.open("/dev/dri/card0");
    const answers = {
      notMaster: answer(lease(m, client, [A.connector, A.crtc])),
      badFlags: answer(lease(m, owner, [A.connector, A.crtc], 0x1)),
      noSuchObject: answer(lease(m, owner, [A.connector, 999])),
      encoder: answer(lease(m, owner, [A.connector, A.crtc, A.encoder])),
      property: answer(lease(m, owner, [A.connector, A.crtc, 20])),
      noConnector: answer(lease(m, owner, [A.crtc])),
      noCrtc: answer(lease(m, owner, [A.connector])),
      twice: answer(lease(m, owner, [A.connector, A.crtc, A.connector])),
      planeAndItsCrtc: answer(lease(m, owner, [A.connector, A.plane, A.crtc])),
      shortArray: answer(m.ioctl(owner, DRM_IOCTL_MODE_CREATE_LEASE, { object_ids: [A.crtc], object_count: 2 })),
    };
    assert.deepEqual(answers, {
      notMaster: "EACCES",
      badFlags: "EINVAL",
      noSuchObject: "ENOENT",
      encoder: "EINVAL",
      property: "EINVAL",
      noConnector: "EINVAL",
      noCrtc: "EINVAL",
      twice: "ENOSPC",
      planeAndItsCrtc: "ENOSPC",
      shortArray: "EFAULT",
    });
    const first = leaseOk(m, owner, [A.connector, A.crtc]);
    assert.equal(answer(lease(m, owner, [B.connector, A.crtc])), "EBUSY", "A's CRTC is leased already");
    assert.equal(answer(lease(m, first.fd, [B.connector, B.crtc])), "EINVAL", "no sub-leases");
    assert.equal(leaseOk(m, owner, [B.connector, B.crtc]).id, 2);
    assert.deepEqual(lessees(m, owner), [1, 2]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("with universal planes the lessor names the planes itself; an empty lease is allowed and not listed", () => {
    const m = drmMachine();
    const dev = twoPipes(m);
    const owner = m.open("/dev/dri/card0");
    assert.ok(m.ioctl(owner, DRM_IOCTL_SET_CLIENT_CAP, { capability: DRM_CLIENT_CAP.DRM_CLIENT_CAP_UNIVERSAL_PLANES, value: 1n }).ok);
    assert.equal(answer(lease(m, owner, [A.connector, A.crtc])), "EINVAL", "a plane is needed");
    const l = leaseOk(m, owner, [A.connector, A.crtc, B.plane]);
    assert.deepEqual(getLease(m, l.fd), [A.connector, A.crtc, B.plane], "no primary plane added");
    const empty = leaseOk(m, owner, []);
    assert.deepEqual(getLease(m, empty.fd), []);
    assert.deepEqual(lessees(m, owner), [l.id], "a lease holding nothing is not listed");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("a lessee's file", () => {
  test("sees only what it leases: ENOENT for the other connector, CRTC and plane, filtered CRTC masks", () => {
    const m = drmMachine();
    const dev = twoPipes(m);
    const owner = m.open("/dev/dri/card0");
    const { fd } = leaseOk(m, owner, [A.connector, A.crtc]);
    assert.ok(m.ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, { capability: DRM_CLIENT_CAP.DRM_CLIENT_CAP_UNIVERSAL_PLANES, value: 1n }).ok);
    const res = m.ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, { count_crtcs: 4, count_connectors: 4, count_encoders: 4 });
    assert.ok(res.ok);
    assert.deepEqual(
      [res.value.crtc_id_ptr, res.value.connector_id_ptr, res.value.encoder_id_ptr],
      [[A.crtc], [A.connector], [A.encoder, B.encoder]],
      "every encoder, its own CRTCs and connectors",
    );
    const answers = {
      connectorB: answer(m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: B.connector })),
      crtcB: answer(m.ioctl(fd, DRM_IOCTL_MODE_GETCRTC, { crtc_id: B.crtc })),
      planeB: answer(m.ioctl(fd, DRM_IOCTL_MODE_GETPLANE, { plane_id: B.plane })),
      propsOfCrtcB: answer(m.ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, { obj_id: B.crtc })),
      flipOnB: answer(m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: B.crtc })),
      setcrtcB: answer(m.ioctl(fd, DRM_IOCTL_MODE_SETCRTC, { crtc_id: B.crtc })),
      connectorA: answer(m.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: A.connector })),
    };
    assert.deepEqual(answers, {
      connectorB: "ENOENT",
      crtcB: "ENOENT",
      planeB: "ENOENT",
      propsOfCrtcB: "ENOENT",
      flipOnB: "ENOENT",
      setcrtcB: "ENOENT",
      connectorA: "ok",
    });
    const encB = m.ioctl(fd, DRM_IOCTL_MODE_GETENCODER, { encoder_id: B.encoder });
    assert.ok(encB.ok);
    assert.equal(encB.value.possible_crtcs, 0, "B's CRTC is not the lessee's");
    const encA = m.ioctl(fd, DRM_IOCTL_MODE_GETENCODER, { encoder_id: A.encoder });
    assert.equal(encA.ok && encA.value.possible_crtcs, 1);
    assert.equal(m.finishClean(dev), 0);
  });

  test("an atomic commit naming another's object is ENOENT, a CRTC_ID of another's CRTC EACCES (no such CRTC: EINVAL)", () => {
    const m = drmMachine();
    const dev = twoPipes(m);
    const owner = m.open("/dev/dri/card0");
    const { fd } = leaseOk(m, owner, [A.connector, A.crtc]);
    assert.ok(m.ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, { capability: DRM_CLIENT_CAP.DRM_CLIENT_CAP_ATOMIC, value: 1n }).ok);
    const crtcId = 20;
    const commit = (objs: Parameters<typeof atomicRequest>[0]) =>
      answer(m.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, { flags: 0x100 | 0x400, ...atomicRequest(objs) }));
    assert.equal(commit([[B.connector, [[crtcId, 0n]]]]), "ENOENT");
    assert.equal(commit([[A.plane, [[crtcId, BigInt(B.crtc)]]]]), "EACCES");
    assert.equal(commit([[A.connector, [[crtcId, BigInt(B.crtc)]]]]), "EACCES");
    assert.equal(commit([[A.plane, [[crtcId, 999n]]]]), "EINVAL");
    assert.equal(m.finishClean(dev), 0);
  });

  test("SETCRTC lighting a CRTC whose primary plane is not leased is EACCES", () => {
    const m = drmMachine();
    const dev = twoPipes(m);
    const owner = m.open("/dev/dri/card0");
    assert.ok(m.ioctl(owner, DRM_IOCTL_SET_CLIENT_CAP, { capability: DRM_CLIENT_CAP.DRM_CLIENT_CAP_UNIVERSAL_PLANES, value: 1n }).ok);
    const { fd } = leaseOk(m, owner, [B.connector, B.crtc, A.plane]);
    const light = m.ioctl(fd, DRM_IOCTL_MODE_SETCRTC, {
      crtc_id: B.crtc, mode_valid: 1, mode: MODE_1024X768_60, set_connectors_ptr: [B.connector], count_connectors: 1,
    });
    assert.equal(answer(light), "EACCES");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, { crtc_id: B.crtc })), "EACCES");
    assert.equal(m.finishClean(dev), 0);
  });

  test("is a master while its owner is; it never was the device's master, so SET/DROP_MASTER are EACCES for it", () => {
    const m = drmMachine();
    const dev = twoPipes(m);
    const owner = m.open("/dev/dri/card0");
    const { fd } = leaseOk(m, owner, [A.connector, A.crtc]);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SET_MASTER)), "EACCES");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_DROP_MASTER)), "EACCES");
    assert.equal(answer(m.ioctl(owner, DRM_IOCTL_DROP_MASTER)), "ok");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GET_LEASE)), "EACCES", "its owner is not the master now");
    assert.equal(answer(m.ioctl(owner, DRM_IOCTL_SET_MASTER)), "ok");
    assert.deepEqual(getLease(m, fd), [A.connector, A.plane, A.crtc], "back with its owner");
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("DRM_IOCTL_MODE_REVOKE_LEASE and the end of a lease", () => {
  test("a client of the owner's master closing ends no lease: only the file that made the master does", () => {
    const m = drmMachine();
    const dev = twoPipes(m);
    const owner = m.open("/dev/dri/card0");
    const client = m.open("/dev/dri/card0");
    const { fd } = leaseOk(m, owner, [A.connector, A.crtc]);
    m.run(() => m.proc.close(client));
    assert.deepEqual(getLease(m, fd), [A.connector, A.plane, A.crtc]);
    m.run(() => m.proc.close(owner));
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GET_LEASE)), "EACCES", "its owner is gone");
    assert.equal(m.finishClean(dev), 0);
  });

  test("revoking empties the lease (the file stays); ENOENT for no such lessee, EACCES for a lessee revoking another", () => {
    const m = drmMachine();
    const dev = twoPipes(m);
    const owner = m.open("/dev/dri/card0");
    const a = leaseOk(m, owner, [A.connector, A.crtc]);
    const b = leaseOk(m, owner, [B.connector, B.crtc]);
    assert.equal(answer(m.ioctl(a.fd, DRM_IOCTL_MODE_REVOKE_LEASE, { lessee_id: b.id })), "EACCES");
    assert.equal(answer(m.ioctl(a.fd, DRM_IOCTL_MODE_REVOKE_LEASE, { lessee_id: a.id })), "EACCES");
    assert.equal(answer(m.ioctl(owner, DRM_IOCTL_MODE_REVOKE_LEASE, { lessee_id: 7 })), "ENOENT");
    assert.equal(answer(m.ioctl(owner, DRM_IOCTL_MODE_REVOKE_LEASE, { lessee_id: a.id })), "ok");
    assert.deepEqual(getLease(m, a.fd), []);
    assert.equal(answer(m.ioctl(a.fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: A.connector })), "ENOENT");
    assert.deepEqual(lessees(m, owner), [b.id]);
    assert.equal(leaseOk(m, owner, [A.connector, A.crtc]).id, 3, "A's objects are free again; id 1 is still taken");
    assert.equal(m.finishClean(dev), 0);
  });

  test("closing the lessee's file sends change LEASE=1 on the card, these bytes; its id is free again", () => {
    const m = drmMachine();
    const dev = twoPipes(m);
    const owner = m.open("/dev/dri/card0");
    const l = leaseOk(m, owner, [A.connector, A.crtc]);
    const events = watch(m);
    m.run(() => m.proc.close(l.fd));
    const devpath = "/devices/drmtest.0/drm/card0";
    assert.deepEqual(events, [
      `change@${devpath}|ACTION=change|DEVPATH=${devpath}|SUBSYSTEM=drm|LEASE=1|MAJOR=226|MINOR=0|DEVNAME=dri/card0|DEVTYPE=drm_minor|SEQNUM=7`,
    ]);
    assert.deepEqual(lessees(m, owner), []);
    // drm_lease_destroy() unlinks the lessee from its lessor: no stale master left in the list.
    assert.deepEqual(m.file(owner).master?.lessees, []);
    assert.equal(leaseOk(m, owner, [A.connector, A.crtc]).id, 1);
    assert.equal(m.finishClean(dev), 0);
  });

  test("closing the owner's file revokes its lessees' leases; the event comes when the lessee closes", () => {
    const m = drmMachine();
    const dev = twoPipes(m);
    const owner = m.open("/dev/dri/card0");
    const l = leaseOk(m, owner, [A.connector, A.crtc]);
    const events = watch(m);
    m.run(() => m.proc.close(owner));
    assert.deepEqual(events, []);
    assert.equal(answer(m.ioctl(l.fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: A.connector })), "ENOENT");
    m.run(() => m.proc.close(l.fd));
    assert.equal(events.length, 1);
    assert.match(events[0]!, /\|LEASE=1\|/);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("leases after unplug (R43, R91)", () => {
  for (const profile of [undefined, UAPI_DOC]) {
    const name = profile?.name ?? "mainline";
    test(`${name}: the lease ioctls are ENODEV; the lessee's file answers as any file; its close is clean and sends no LEASE uevent`, () => {
      const m = drmMachine(profile);
      const dev = twoPipes(m);
      const owner = m.open("/dev/dri/card0");
      const l = leaseOk(m, owner, [A.connector, A.crtc]);
      m.runIn("test_remove", [dev], () => drmDevUnplug(dev));
      const leaseCalls = {
        create: answer(lease(m, owner, [B.connector, B.crtc])),
        list: answer(m.ioctl(owner, DRM_IOCTL_MODE_LIST_LESSEES)),
        get: answer(m.ioctl(l.fd, DRM_IOCTL_MODE_GET_LEASE)),
        revoke: answer(m.ioctl(owner, DRM_IOCTL_MODE_REVOKE_LEASE, { lessee_id: l.id })),
      };
      assert.deepEqual(leaseCalls, { create: "ENODEV", list: "ENODEV", get: "ENODEV", revoke: "ENODEV" });
      const own = m.ioctl(l.fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: A.connector });
      const other = answer(m.ioctl(l.fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: B.connector }));
      if (profile === undefined) {
        assert.deepEqual([answer(own), other], ["ENODEV", "ENODEV"]);
      } else {
        assert.equal(own.ok && own.value.connection, DRM_MODE_DISCONNECTED, "its own connector, faked disconnected (R64)");
        assert.equal(other, "ENOENT", "still only what it leases");
      }
      const events = watch(m);
      m.run(() => m.proc.close(l.fd));
      assert.deepEqual(events, [], "the card is gone: no LEASE uevent");
      assert.equal(m.finishClean(dev), 0);
    });
  }
});
