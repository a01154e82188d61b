/**
 * Shutdown kills the programs still running, as SIGKILL at power-off does: a program asleep
 * interruptibly (read() or poll() on a card with no event coming) wakes, its call ends with
 * EINTR, it runs no more of its code, and do_exit() closes its files and unmaps its mappings,
 * so nothing it held is leaked. A program asleep uninterruptibly is a kernel hang, reported
 * once, and cannot be killed.
 *
 * @see do_exit() in kernel/exit.c; wait_event_interruptible() in include/linux/wait.h
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Mutex, mutexLock, type TraceEvent } from "../kernel/mod.js";
import { POLLIN, type Fd } from "../uapi/mod.js";
import { BDF, openOk, pciRemove } from "./_testing.js";
import { World } from "./world.js";

function bootedWorld(): World {
  const world = new World({ seed: 1, schedule: "fifo" });
  world.bootSync();
  return world;
}

function callsOf(world: World, task: number): string[] {
  return world.sim.trace.events
    .filter((e): e is Extract<TraceEvent, { t: "call" }> => e.t === "call" && e.task === task)
    .map((e) => `${e.op}(${e.args}) = ${e.ret}${e.errno ? ` ${e.errno}` : ""}`);
}

describe("World shutdown with programs still running", () => {
  for (const how of ["read", "poll"] as const) {
    test(`a program asleep in ${how}() on an unplugged card is killed: ${how}() ends with EINTR, its file is closed, nothing leaks`, () => {
      const world = bootedWorld();
      const after: string[] = [];
      const reader = world.spawnProgram("reader", function* (sys) {
        const fd = yield* openOk(sys, "/dev/dri/card0");
        const r = how === "read" ? yield* sys.read(fd, 4096) : yield* sys.poll(fd, POLLIN, -1);
        after.push(`returned ${r.ok ? "ok" : r.errno}`); // never runs: the process dies on the way back
        yield* sys.close(fd as Fd);
      });
      world.spawnProgram("admin", function* (sys) {
        yield* sys.sleep(1);
        yield* pciRemove(sys, BDF);
      });
      assert.equal(world.run().kind, "quiescent");
      const [blocked] = world.blockedPrograms();
      assert.equal(blocked?.program, reader);
      assert.equal(blocked.state, "interruptible");
      assert.equal(blocked.call?.op, how);
      assert.deepEqual(world.sim.findings, []);

      assert.equal(world.shutdownSync(), 0, "leaked allocations");
      assert.equal(reader.task.state, "done");
      assert.equal(reader.task.error, undefined);
      assert.deepEqual(after, []);
      const ended = how === "read" ? "read(3, 4096) = -1 EINTR" : "poll(3, 0x1, -1) = -1 EINTR";
      assert.deepEqual(callsOf(world, reader.task.id).slice(-1), [ended]);
      assert.deepEqual(world.sim.findings, []);
      assert.ok(world.sim.trace.events.some((e) => e.t === "note" && e.text === `SIGKILL to reader (pid ${reader.process.pid})`));
    });
  }

  test("a program stuck uninterruptibly is one hang finding, shutdown still ends, and its files are closed for it", () => {
    const world = bootedWorld();
    const lock = new Mutex(world.sim, "never_released");
    world.spawnProgram("holder", function* () {
      yield* mutexLock(lock); // a lock taken and never released
    });
    const stuck = world.spawnProgram("stuck", function* (sys) {
      yield* openOk(sys, "/dev/dri/card0");
      yield* mutexLock(lock);
    });
    assert.equal(world.run().kind, "deadlock");
    assert.deepEqual(world.blockedPrograms().map((b) => [b.program.task.name, b.state]), [["stuck", "uninterruptible"]]);
    assert.equal(world.shutdownSync(), 0);
    assert.equal(stuck.task.state, "blocked");
    assert.deepEqual(world.sim.findings.map((f) => f.kind), ["hang"]);
  });
});
