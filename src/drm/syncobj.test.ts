/**
 * The syncobj ioctls at the errno boundary: handles, fds, waits with their absolute timeouts
 * on the virtual clock, sync_file export and import, reset and signal, the handle table freed
 * at close, and what still works after unplug.
 *
 * @see drivers/gpu/drm/drm_syncobj.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dmaFenceSetError, dmaFenceSignal } from "../base/mod.js";
import {
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_IOCTL_SYNCOBJ_DESTROY,
  DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
  DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
  DRM_IOCTL_SYNCOBJ_RESET,
  DRM_IOCTL_SYNCOBJ_SIGNAL,
  DRM_IOCTL_SYNCOBJ_WAIT,
  DRM_SYNCOBJ_CREATE_SIGNALED,
  DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE as IMPORT,
  DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE as EXPORT,
  POLLIN,
  SYNC_IOC_FILE_INFO,
  type Fd,
} from "../uapi/mod.js";
import { attachFence, create, setup, signalLater } from "./_test_syncobj.js";
import { answer, drmMachine, liveCount, TEST_DRIVER } from "./_testing.js";
import { drmDevUnplug } from "./device.js";

describe("syncobj handles", () => {
  test("every syncobj ioctl is EOPNOTSUPP on a driver without DRIVER_SYNCOBJ", () => {
    const m = drmMachine();
    m.registered(TEST_DRIVER);
    const fd = m.open("/dev/dri/renderD128");
    const answers = [
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, {}),
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, { handle: 1 }),
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: 1 }),
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd: 0 }),
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [1], count_handles: 1 }),
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, { handles: [1], count_handles: 1 }),
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, { handles: [1], count_handles: 1 }),
    ].map(answer);
    assert.deepEqual(answers, Array(7).fill("EOPNOTSUPP"));
  });

  test("CREATE hands out the lowest free handle from 1; DESTROY frees; bad input is EINVAL", () => {
    const { m, dev, fd } = setup();
    assert.deepEqual([create(m, fd), create(m, fd), create(m, fd)], [1, 2, 3]);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, { flags: 2 })), "EINVAL");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, { handle: 2 })), "ok");
    assert.equal(liveCount(m, "drm_syncobj"), 2);
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, { handle: 2 })), "EINVAL");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, { handle: 1, pad: 1 })), "EINVAL");
    assert.equal(create(m, fd), 2, "a destroyed handle is reused");
    assert.equal(m.finishClean(dev), 0, "close puts every handle: no syncobj or fence leaks");
  });

  test("HANDLE_TO_FD gives a syncobj fd; FD_TO_HANDLE a new handle to the same syncobj", () => {
    const { m, dev, fd } = setup();
    const h = create(m, fd);
    const r = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: h });
    assert.deepEqual(r, { ok: true, value: { fd: fd + 1 } });
    const sfd = (r.ok ? r.value.fd : -1) as Fd;
    assert.equal(m.proc.fds.get(sfd)?.path, "anon_inode:syncobj_file");
    const back = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd: sfd });
    assert.deepEqual(back, { ok: true, value: { handle: 2 } });
    const file = m.file(fd);
    assert.equal(file.syncobjs.get(2), file.syncobjs.get(1), "both handles name one syncobj");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: 9 })), "EINVAL");
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd })),
      "EINVAL",
      "a DRM fd is not a syncobj fd",
    );
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd: 99 })),
      "EINVAL",
      "no such fd",
    );
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: h, flags: 2 })),
      "EINVAL",
    );
    m.run(() => m.proc.close(fd));
    assert.equal(liveCount(m, "drm_syncobj"), 1, "the syncobj fd keeps it after the DRM file closed");
    assert.equal(m.finishClean(dev), 0);
  });

  test("a non-zero pad or an unknown flag is EINVAL, and the call changes nothing", () => {
    const { m, dev, fd } = setup();
    const h = create(m, fd);
    const r = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: h });
    assert.ok(r.ok);
    const sfd = r.value.fd;
    const list = { handles: [h], count_handles: 1 };
    const answers = {
      toFdPad: m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: h, pad: 1 }),
      toHandlePad: m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd: sfd, pad: 1 }),
      toHandleFlag: m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd: sfd, flags: 2 }),
      signalPad: m.ioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, { ...list, pad: 1 }),
      resetPad: m.ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, { ...list, pad: 1 }),
      importNoFd: m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd: 99, handle: h, flags: IMPORT }),
    };
    assert.deepEqual(
      Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, answer(v)])),
      {
        toFdPad: "EINVAL",
        toHandlePad: "EINVAL",
        toHandleFlag: "EINVAL",
        signalPad: "EINVAL",
        resetPad: "EINVAL",
        importNoFd: "EINVAL",
      },
    );
    assert.deepEqual([...m.proc.fds.keys()], [fd, sfd], "no fd was made");
    assert.deepEqual([...m.file(fd).syncobjs.keys()], [h], "no handle was made");
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, list)),
      "EINVAL",
      "the SIGNAL with a pad put no fence in",
    );
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("sync_file export and import", () => {
  test("EXPORT_SYNC_FILE: poll is 0 then POLLIN; FILE_INFO status 0, then the error", () => {
    const { m, dev, fd } = setup();
    const h = create(m, fd);
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: h, flags: EXPORT })),
      "EINVAL",
      "no fence to export",
    );
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: 5, flags: EXPORT })),
      "ENOENT",
    );
    const fence = attachFence(m, fd, h);
    const r = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: h, flags: EXPORT });
    assert.ok(r.ok);
    const sfd = r.value.fd as Fd;
    const info = () => m.ioctl(sfd, SYNC_IOC_FILE_INFO, {});
    assert.deepEqual(
      info(),
      { ok: true, value: { name: "drmtest-ring1-1", status: 0, num_fences: 1 } },
    );
    assert.deepEqual(m.run(() => m.proc.poll(sfd, POLLIN, 0)), { ok: true, value: 0 });
    signalLater(m, fence, 200, -62);
    assert.deepEqual(m.run(() => m.proc.poll(sfd, POLLIN, 5)), { ok: true, value: POLLIN });
    assert.deepEqual(
      info(),
      { ok: true, value: { name: "drmtest-ring1-1", status: -62, num_fences: 1 } },
    );
    assert.equal(answer(m.ioctl(sfd, SYNC_IOC_FILE_INFO, { flags: 1 })), "EINVAL");
    assert.equal(answer(m.ioctl(sfd, SYNC_IOC_FILE_INFO, { num_fences: 1 })), "EFAULT");
    assert.equal(answer(m.ioctl(sfd, DRM_IOCTL_SYNCOBJ_CREATE, {})), "ENOTTY");
    assert.equal(m.finishClean(dev), 0);
  });

  test("IMPORT_SYNC_FILE puts the sync_file's fence in a syncobj; a reset does not touch the file", () => {
    const { m, dev, fd } = setup();
    const src = create(m, fd, DRM_SYNCOBJ_CREATE_SIGNALED);
    const dst = create(m, fd);
    const r = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: src, flags: EXPORT });
    assert.ok(r.ok);
    const sfd = r.value.fd;
    assert.deepEqual(
      m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd: sfd, handle: dst, flags: IMPORT }),
      { ok: true, value: { handle: dst } },
    );
    const file = m.file(fd);
    assert.equal(file.syncobjs.get(dst)?.fence, file.syncobjs.get(src)?.fence);
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd: sfd, handle: 9, flags: IMPORT })),
      "ENOENT",
    );
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, { fd, handle: dst, flags: IMPORT })),
      "EINVAL",
    );
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, { handles: [src, dst], count_handles: 2 })),
      "ok",
    );
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [dst], count_handles: 1 })),
      "EINVAL",
      "reset: no fence",
    );
    assert.deepEqual(
      m.ioctl(sfd as Fd, SYNC_IOC_FILE_INFO, {}),
      { ok: true, value: { name: "stub-stub1-0", status: 1, num_fences: 1 } },
    );
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, { handles: [dst], count_handles: 1 })),
      "ok",
    );
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [dst], count_handles: 1 })),
      "ok",
    );
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, { handles: [dst, 8], count_handles: 2 })),
      "ENOENT",
    );
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, { handles: [dst], count_handles: 0 })),
      "EINVAL",
    );
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("syncobjs after unplug", () => {
  test("every syncobj ioctl is ENODEV; an exported sync_file still answers; close frees all", () => {
    const { m, dev, fd } = setup();
    const h = create(m, fd);
    const fence = attachFence(m, fd, h);
    const r = m.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, { handle: h, flags: EXPORT });
    assert.ok(r.ok);
    const sfd = r.value.fd as Fd;
    m.run(() => drmDevUnplug(dev));
    assert.equal(
      answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, { handles: [h], count_handles: 1 })),
      "ENODEV",
    );
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, {})), "ENODEV");
    m.runIn("driver_fini", [fence], function* () {
      dmaFenceSetError(fence, -125);
      dmaFenceSignal(fence);
    });
    m.run(() => m.proc.close(fd));
    assert.deepEqual(m.run(() => m.proc.poll(sfd, POLLIN, 0)), { ok: true, value: POLLIN });
    assert.deepEqual(
      m.ioctl(sfd, SYNC_IOC_FILE_INFO, {}),
      { ok: true, value: { name: "drmtest-ring1-1", status: -125, num_fences: 1 } },
    );
    assert.equal(liveCount(m, "dma_fence"), 1, "the sync_file holds the fence");
    assert.equal(m.finishClean(dev), 0);
    assert.equal(liveCount(m, "dma_fence"), 0);
  });
});
