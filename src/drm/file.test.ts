/**
 * poll(), read() and close() on DRM files as userspace sees them: poll(2) reports only the
 * requested bits (plus POLLERR and POLLHUP), queued events stay readable after unplug, and
 * close() always succeeds.
 *
 * @see drm_poll(), drm_read(), drm_release() in drivers/gpu/drm/drm_file.c; do_pollfd() in
 *      fs/select.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sleepTicks, step } from "../kernel/mod.js";
import { DRM_IOCTL_VERSION, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDNORM, type Fd } from "../uapi/mod.js";
import { drmMachine, type DrmMachine } from "./_testing.js";
import { drmDevUnplug, type DrmDevice } from "./device.js";
import { DRM_FILE_EVENTS_MAX, drmFileOf, drmSendEvent } from "./file.js";

const EVENT = new Uint8Array([1, 0, 0, 0, 8, 0, 0, 0]);

/** A registered device with card0 open; `queue()` queues one DRM event on that file. */
function openCard(): { m: DrmMachine; dev: DrmDevice; fd: Fd; queue(): void } {
  const m = drmMachine();
  const dev = m.registered();
  const fd = m.open("/dev/dri/card0");
  const kfile = m.proc.fds.get(fd);
  assert.ok(kfile !== undefined);
  return { m, dev, fd, queue: () => drmSendEvent(drmFileOf(kfile), EVENT) };
}

describe("drm_poll", () => {
  test("poll() with an event queued reports exactly the requested read bits", () => {
    const { m, fd, queue } = openCard();
    queue();
    assert.deepEqual(m.run(() => m.proc.poll(fd, POLLIN, 0)), { ok: true, value: POLLIN });
    assert.deepEqual(m.run(() => m.proc.poll(fd, POLLRDNORM, 0)), { ok: true, value: POLLRDNORM });
    assert.deepEqual(m.run(() => m.proc.poll(fd, POLLIN | POLLRDNORM, 0)), { ok: true, value: POLLIN | POLLRDNORM });
    assert.deepEqual(m.run(() => m.proc.poll(fd, POLLIN | POLLOUT | POLLPRI, 0)), { ok: true, value: POLLIN });
  });

  test("poll() for POLLOUT only with an event queued reports nothing and waits out its timeout", () => {
    const { m, fd, queue } = openCard();
    queue();
    const start = m.sim.now;
    assert.deepEqual(m.run(() => m.proc.poll(fd, POLLOUT, 5)), { ok: true, value: 0 });
    assert.ok(m.sim.now - start >= 5000, `poll returned after ${m.sim.now - start} ticks`);
  });

  test("poll() never reports a bit outside requested|POLLERR|POLLHUP|POLLNVAL", () => {
    const { m, fd, queue } = openCard();
    queue();
    for (let requested = 0; requested < 0x80; requested++) {
      const r = m.run(() => m.proc.poll(fd, requested, 0));
      assert.ok(r.ok);
      assert.equal(r.value & ~(requested | POLLERR | POLLHUP | POLLNVAL), 0, `requested 0x${requested.toString(16)}, got 0x${r.value.toString(16)}`);
      assert.equal(r.value, requested & (POLLIN | POLLRDNORM), `requested 0x${requested.toString(16)}`);
    }
  });

  test("poll() without events waits and wakes with POLLIN when an event is queued", () => {
    const { m, fd, queue } = openCard();
    const kfile = m.proc.fds.get(fd)!;
    const file = drmFileOf(kfile);
    m.sim.spawn("vblank", (function* () {
      yield sleepTicks(2000, step("drm_send_event", [kfile], [file]));
      queue();
    })());
    const start = m.sim.now;
    assert.deepEqual(m.run(() => m.proc.poll(fd, POLLIN, 1000)), { ok: true, value: POLLIN });
    const waitedTicks = m.sim.now - start;
    assert.ok(waitedTicks >= 2000 && waitedTicks < 1_000_000, `woke after ${waitedTicks} ticks`);
  });

  test("poll() of a descriptor that is not open reports POLLNVAL instead of failing", () => {
    const { m, fd } = openCard();
    assert.deepEqual(m.run(() => m.proc.close(fd)), { ok: true, value: 0 });
    assert.deepEqual(m.run(() => m.proc.poll(fd, POLLIN, 0)), { ok: true, value: POLLNVAL });
  });
});

describe("drm_send_event", () => {
  test("a file queues at most DRM_FILE_EVENTS_MAX events; one more is dropped with a WARN", () => {
    const { m, fd, queue } = openCard();
    for (let i = 0; i < DRM_FILE_EVENTS_MAX; i++) queue();
    assert.deepEqual(m.warnings(), []);
    queue();
    assert.deepEqual(m.warnings(), ["drm_send_event: event queue of card0 full"]);
    const read = m.run(() => m.proc.read(fd, 4096, 10));
    assert.ok(read.ok, "the queued events stay readable");
    queue();
    assert.equal(m.warnings().length, 1, "a read made room for one more");
  });
});

describe("drm files after unplug", () => {
  test("poll() and read() still return an event queued before unplug; ioctl fails; close() succeeds (R44, R45)", () => {
    const { m, dev, fd, queue } = openCard();
    queue();
    m.run(() => drmDevUnplug(dev));
    assert.deepEqual(m.run(() => m.proc.poll(fd, POLLIN, 0)), { ok: true, value: POLLIN });
    const read = m.run(() => m.proc.read(fd, 4096, 10));
    assert.ok(read.ok, `read after unplug: ${read.ok ? "" : read.errno}`);
    assert.deepEqual([...read.value], [...EVENT]);
    assert.deepEqual(m.run(() => m.proc.poll(fd, POLLIN, 0)), { ok: true, value: 0 });
    assert.deepEqual(m.run(() => m.proc.ioctl(fd, DRM_IOCTL_VERSION)), { ok: false, errno: "ENODEV" });
    queue();
    assert.deepEqual(m.run(() => m.proc.close(fd)), { ok: true, value: 0 });
    assert.equal(m.finishClean(dev), 0);
  });
});
