/**
 * The twin of ../shared/explore/unplug.pml (docs/explore.md, "The Promela twin"): N users
 * (open, K ioctls, close) against a driver's remove(), at the level of drm_dev_enter() /
 * drm_dev_exit() and the drm_device's lifetime, with the same three broken switches and the
 * same control. One transition here is one Promela transition there (a guarded d_step or one
 * assert), and the state vector holds exactly the Promela state vector's variables: the
 * globals, each user's `id` and `i`, and each process's program counter. So an exhaustive
 * search must store exactly as many states as SPIN does, and a breadth-first one must meet
 * each broken switch's violation after as many transitions as SPIN's shortest trail.
 *
 * What the steps stand for (the C functions):
 * - open: drm_open() -> drm_minor_acquire(): ENODEV once unplugged, else drm_dev_get();
 * - ioctl: drm_dev_enter() (the SRCU read lock and the unplugged check, atomic), a touch of
 *   the drm_device container, a touch of MMIO, drm_dev_exit();
 * - close: drm_release() touches the container (the file list), then drm_dev_put();
 * - remove(): drm_dev_unplug() (unplugged, then synchronize_srcu()), the hardware teardown
 *   (iounmap, pci_disable_device), then the devres release of devm_drm_dev_alloc()'s reference;
 * - the last drm_dev_put() runs drm_dev_release(): drmm actions, then the container is freed.
 */
import type { ModelTransition, ModelVar, ModelViolation, TransitionModel } from "./model.js";

/** The model's parameters: unplug.pml's -D macros. */
export interface UnplugTwinOptions {
  readonly users: number;
  readonly ioctls: number;
  /** The drm_device container from devm_kzalloc: freed at devres release (R28). */
  readonly bugDevm?: boolean;
  /** The ioctl path skips drm_dev_enter(): MMIO touched after the teardown. */
  readonly bugNoEnter?: boolean;
  /** remove() waits for every file to be closed (implies neverClose). */
  readonly bugWaitUsers?: boolean;
  /** User 0 never closes its file (its process ends holding it). */
  readonly neverClose?: boolean;
}

// ustate[id]: what each user is doing (unplug.pml's US_*).
const US_IDLE = 0, US_OPEN = 1, US_IN_SECTION = 2, US_CLOSING = 3, US_CLOSED = 4;
const US_OPEN_FAILED = 5, US_KEEPS_FD = 6;
// unplug_state (UP_*).
const UP_IDLE = 0, UP_SYNC = 1, UP_WAIT_USERS = 2, UP_TEARDOWN = 3, UP_DEVRES = 4, UP_DONE = 5;
// A user's program counter: before open, the loop head, the two touches, drm_dev_exit, the
// drm_dev_put of close, parked at its end label.
const U_START = 0, U_LOOP = 1, U_TOUCH_DEV = 2, U_TOUCH_MMIO = 3, U_EXIT = 4, U_PUT = 5, U_PARKED = 6;
// The unplug process's program counter.
const R_START = 0, R_SYNC = 1, R_WAIT_USERS = 2, R_TEARDOWN = 3, R_DEVRES = 4, R_PARKED = 5;

// The globals' indices in the vector.
const UNPLUGGED = 0, SRCU_READERS = 1, DEV_REFCOUNT = 2, CONTAINER_FREED = 3;
const DRMM_RELEASED = 4, HW_PRESENT = 5, UNPLUG_STATE = 6, UNPLUG_PC = 7, GLOBALS = 8;

function violation(kind: ModelViolation["kind"], message: string): ModelViolation {
  return { kind, message };
}

/** Builds the twin for `o` (N users, K ioctls, the switches). */
export function unplugTwin(o: UnplugTwinOptions): TransitionModel {
  const n = o.users;
  const k = o.ioctls;
  const neverClose = o.neverClose === true || o.bugWaitUsers === true;
  const ustate = (id: number): number => GLOBALS + id * 4;
  const pc = (id: number): number => GLOBALS + id * 4 + 1;
  const iv = (id: number): number => GLOBALS + id * 4 + 2;

  const vars: ModelVar[] = [
    { name: "unplugged", max: 1 }, { name: "srcu_readers", max: n },
    { name: "dev_refcount", max: n + 1 }, { name: "container_freed", max: 1 },
    { name: "drmm_released", max: 1 }, { name: "hw_present", max: 1 },
    { name: "unplug_state", max: UP_DONE }, { name: "Unplug:pc", max: R_PARKED },
  ];
  const initial = [0, 0, 1, 0, 0, 1, UP_IDLE, R_START];
  for (let id = 0; id < n; id++) {
    vars.push({ name: `ustate[${id}]`, max: US_KEEPS_FD }, { name: `User(${id}):pc`, max: U_PARKED },
      { name: `User(${id}):i`, max: k }, { name: `User(${id}):id`, max: n - 1 });
    initial.push(US_IDLE, U_START, 0, id);
  }

  /** drm_dev_release(), in the context of the last drm_dev_put(). */
  const finalRelease = (v: Int32Array): ModelViolation | null => {
    if (v[CONTAINER_FREED] === 1) {
      return violation("use-after-free", "drm_dev_release: the drm_device container was freed before");
    }
    v[DRMM_RELEASED] = 1;
    if (o.bugDevm !== true) v[CONTAINER_FREED] = 1;
    return null;
  };

  /** The oracles at quiescence, in the step that makes the last process finish. */
  const quiesceIfLast = (v: Int32Array): ModelViolation | null => {
    let done = 0;
    let held = 0;
    for (let id = 0; id < n; id++) {
      const u = v[ustate(id)];
      if (u === US_CLOSED || u === US_OPEN_FAILED) done++;
      else if (u === US_KEEPS_FD) {
        done++;
        held++;
      }
    }
    if (done !== n || v[UNPLUG_STATE] !== UP_DONE) return null;
    if (v[SRCU_READERS] !== 0) return violation("warn", "a drm_dev_enter() section was never exited");
    if (v[HW_PRESENT] !== 0) return violation("leak", "the hardware was never torn down");
    if (v[DEV_REFCOUNT] !== held) return violation("kref-underflow", "drm_device references != files held open");
    if (held === 0 && !(v[DRMM_RELEASED] === 1 && v[CONTAINER_FREED] === 1)) {
      return violation("leak", "drm_device never released with every file closed");
    }
    if (held > 0 && v[DRMM_RELEASED] === 1) return violation("use-after-free", "drmm released with a file open");
    return null;
  };

  const transitions: ModelTransition[] = [];
  for (let id = 0; id < n; id++) transitions.push(...userTransitions(id));
  transitions.push(...unplugTransitions());
  return {
    name: `unplug twin N=${n} K=${k}${switchesText(o)}`, vars, initial, transitions,
    processes: [
      ...Array.from({ length: n }, (_, id) => ({ name: `user${id}`, pcVar: pc(id), ends: [U_PARKED] })),
      { name: "remove", pcVar: UNPLUG_PC, ends: [R_PARKED] },
    ],
  };

  function userTransitions(id: number): ModelTransition[] {
    const P = pc(id), I = iv(id), U = ustate(id);
    const at = (from: number, fn: string, guard: ModelTransition["guard"], act: ModelTransition["act"]) =>
      ({ proc: id, at: from, fn, guard, act });
    const always = (): boolean => true;
    const out: ModelTransition[] = [
      at(U_START, "drm_open: ENODEV (unplugged)", (v) => v[UNPLUGGED] === 1, (v) => {
        v[U] = US_OPEN_FAILED;
        v[P] = U_PARKED;
        return quiesceIfLast(v);
      }),
      at(U_START, "drm_open: drm_dev_get", (v) => v[UNPLUGGED] === 0, (v) => {
        v[DEV_REFCOUNT] = v[DEV_REFCOUNT]! + 1;
        v[U] = US_OPEN;
        v[P] = U_LOOP;
        return null;
      }),
    ];
    if (o.bugNoEnter !== true) {
      out.push(at(U_LOOP, "drm_dev_enter: ENODEV", (v) => v[I]! < k && v[UNPLUGGED] === 1, (v) => {
        v[I] = v[I]! + 1;
        return null;
      }), at(U_LOOP, "drm_dev_enter", (v) => v[I]! < k && v[UNPLUGGED] === 0, (v) => {
        v[SRCU_READERS] = v[SRCU_READERS]! + 1;
        v[U] = US_IN_SECTION;
        v[P] = U_TOUCH_DEV;
        return null;
      }));
    } else {
      out.push(at(U_LOOP, "ioctl without drm_dev_enter", (v) => v[I]! < k, (v) => {
        v[U] = US_IN_SECTION;
        v[P] = U_TOUCH_DEV;
        return null;
      }));
    }
    out.push(at(U_TOUCH_DEV, "ioctl: touch the drm_device", always, (v) => {
      v[P] = U_TOUCH_MMIO;
      return v[CONTAINER_FREED] === 1 ? violation("use-after-free", "an ioctl touches the freed drm_device container") : null;
    }), at(U_TOUCH_MMIO, "ioctl: touch MMIO", always, (v) => {
      v[P] = U_EXIT;
      return v[HW_PRESENT] === 0 ? violation("hardware-after-unplug", "an ioctl touches MMIO after the hardware teardown") : null;
    }), at(U_EXIT, o.bugNoEnter === true ? "ioctl returns" : "drm_dev_exit", always, (v) => {
      if (o.bugNoEnter !== true) v[SRCU_READERS] = v[SRCU_READERS]! - 1;
      v[I] = v[I]! + 1;
      v[U] = US_OPEN;
      v[P] = U_LOOP;
      return null;
    }));
    const closes = !neverClose || id !== 0;
    if (neverClose && id === 0) {
      out.push(at(U_LOOP, "exit holding the file", (v) => v[I] === k, (v) => {
        v[U] = US_KEEPS_FD;
        v[P] = U_PARKED;
        return quiesceIfLast(v);
      }));
    }
    if (closes) {
      out.push(at(U_LOOP, "drm_release", (v) => v[I] === k, (v) => {
        v[U] = US_CLOSING;
        v[P] = U_PUT;
        return v[CONTAINER_FREED] === 1 ? violation("use-after-free", "drm_release touches the freed drm_device container") : null;
      }), at(U_PUT, "drm_release: drm_dev_put", always, (v) => {
        v[DEV_REFCOUNT] = v[DEV_REFCOUNT]! - 1;
        const failed = v[DEV_REFCOUNT] === 0 ? finalRelease(v) : null;
        v[U] = US_CLOSED;
        v[P] = U_PARKED;
        return failed ?? quiesceIfLast(v);
      }));
    }
    return out;
  }

  function unplugTransitions(): ModelTransition[] {
    const at = (from: number, fn: string, guard: ModelTransition["guard"], act: ModelTransition["act"]) =>
      ({ proc: n, at: from, fn, guard, act });
    const out: ModelTransition[] = [
      at(R_START, "drm_dev_unplug: unplugged = true", () => true, (v) => {
        v[UNPLUGGED] = 1;
        v[UNPLUG_STATE] = UP_SYNC;
        v[UNPLUG_PC] = R_SYNC;
        return null;
      }),
      at(R_SYNC, "drm_dev_unplug: synchronize_srcu", (v) => v[SRCU_READERS] === 0, (v) => {
        v[UNPLUG_STATE] = o.bugWaitUsers === true ? UP_WAIT_USERS : UP_TEARDOWN;
        v[UNPLUG_PC] = o.bugWaitUsers === true ? R_WAIT_USERS : R_TEARDOWN;
        return null;
      }),
    ];
    if (o.bugWaitUsers === true) {
      out.push(at(R_WAIT_USERS, "remove: wait for every file to close", (v) => v[DEV_REFCOUNT] === 1, (v) => {
        v[UNPLUG_STATE] = UP_TEARDOWN;
        v[UNPLUG_PC] = R_TEARDOWN;
        return null;
      }));
    }
    out.push(at(R_TEARDOWN, "remove: iounmap, pci_disable_device", () => true, (v) => {
      v[HW_PRESENT] = 0;
      v[UNPLUG_STATE] = UP_DEVRES;
      v[UNPLUG_PC] = R_DEVRES;
      return null;
    }), at(R_DEVRES, "devres_release_all: drm_dev_put", () => true, (v) => {
      v[DEV_REFCOUNT] = v[DEV_REFCOUNT]! - 1;
      const failed = v[DEV_REFCOUNT] === 0 ? finalRelease(v) : null;
      if (o.bugDevm === true) v[CONTAINER_FREED] = 1;
      v[UNPLUG_STATE] = UP_DONE;
      v[UNPLUG_PC] = R_PARKED;
      return failed ?? quiesceIfLast(v);
    }));
    return out;
  }
}

function switchesText(o: UnplugTwinOptions): string {
  const on = [
    o.bugDevm === true ? "BUG_DEVM" : "", o.bugNoEnter === true ? "BUG_NO_ENTER" : "",
    o.bugWaitUsers === true ? "BUG_WAIT_USERS" : "", o.neverClose === true ? "NEVER_CLOSE" : "",
  ].filter((s) => s !== "");
  return on.length === 0 ? "" : ` ${on.join(" ")}`;
}
