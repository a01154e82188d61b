import { test } from "node:test";
import assert from "node:assert/strict";
import { DRM_IOCTL_NAMES, DRM_IOCTLS, ioc, iocNr, iocSize, iocType, ioctlByCmd, ioctlByName } from "./ioctl.js";

// The numbers as strace and the C headers of x86-64 print them.
const KNOWN: Record<string, number> = {
  DRM_IOCTL_VERSION: 0xc0406400,
  DRM_IOCTL_GET_CAP: 0xc010640c,
  DRM_IOCTL_GET_UNIQUE: 0xc0106401,
  DRM_IOCTL_MODE_CREATE_DUMB: 0xc02064b2,
  DRM_IOCTL_MODE_MAP_DUMB: 0xc01064b3,
  DRM_IOCTL_MODE_ATOMIC: 0xc03864bc,
  DRM_IOCTL_MODE_GETRESOURCES: 0xc04064a0,
  DRM_IOCTL_SET_CLIENT_CAP: 0x4010640d,
  DRM_IOCTL_GEM_CLOSE: 0x40086409,
  DRM_IOCTL_SET_MASTER: 0x641e,
};

test("DRM_IOCTLS have the exact numbers of the x86-64 kernel headers", () => {
  for (const [name, cmd] of Object.entries(KNOWN)) {
    const def = ioctlByName(name);
    assert.ok(def !== undefined, `${name} is known`);
    assert.equal(def.cmd, cmd, `${name} is 0x${cmd.toString(16)}, got 0x${def.cmd.toString(16)}`);
  }
});

test("ioc() builds unsigned numbers even with the read bit set", () => {
  assert.equal(ioc(3, 0x64, 0x00, 64), 0xc0406400);
  assert.ok(ioc(3, 0x64, 0x00, 64) > 0);
  assert.equal(ioc(0, 0x64, 0x1e, 0), 0x641e);
});

test("iocNr(), iocType() and iocSize() take a number apart", () => {
  const cmd = 0xc03864bc; // DRM_IOCTL_MODE_ATOMIC
  assert.equal(iocNr(cmd), 0xbc);
  assert.equal(iocType(cmd), 0x64);
  assert.equal(iocSize(cmd), 56);
});

test("ioctlByName() and ioctlByCmd() find each other's ioctl", () => {
  assert.equal(DRM_IOCTL_NAMES.length, DRM_IOCTLS.length);
  for (const name of DRM_IOCTL_NAMES) {
    const def = ioctlByName(name);
    assert.ok(def !== undefined, name);
    assert.equal(ioctlByCmd(def.cmd)?.name, name);
    assert.equal(iocNr(def.cmd), def.nr, name);
    assert.equal(iocSize(def.cmd), def.sizeBytes, name);
  }
  assert.equal(new Set(DRM_IOCTLS.map((d) => d.cmd)).size, DRM_IOCTLS.length, "no two ioctls share a number");
});

test("ioctlByCmd() accepts a number that arrived as a signed 32-bit integer", () => {
  assert.equal(ioctlByCmd(0xc0406400 | 0)?.name, "DRM_IOCTL_VERSION");
  assert.ok((0xc0406400 | 0) < 0);
});

test("ioctlByName() and ioctlByCmd() return undefined for unknown ioctls", () => {
  assert.equal(ioctlByName("DRM_IOCTL_NOPE"), undefined);
  assert.equal(ioctlByCmd(0xdeadbeef), undefined);
});
