/**
 * Running userspace code in both worlds. The udev layer's code is written as generators
 * (`Call<T>`, the type of the model's system calls): inside the simulation a program's
 * generator yields kernel steps, which the simulation runs; outside it, the same code yields
 * `Awaiting` markers around promises (a child process's output, a file's next line), which
 * `runCall()` awaits. Code that reads a real sysfs tree never yields at all, so `runSync()`
 * runs it to its end.
 *
 * Mixing the two is a bug of the caller: `runCall()` and `runSync()` refuse a yielded value
 * that is not theirs, and a simulation refuses an `Awaiting` marker.
 */
import type { Call } from "../uapi/mod.js";

const AWAITING = Symbol("vdrm.udev.awaiting");

/** A promise handed to the real-world runner; never seen by a simulation. */
export interface Awaiting {
  readonly [AWAITING]: true;
  readonly promise: Promise<unknown>;
}

function isAwaiting(v: unknown): v is Awaiting {
  return typeof v === "object" && v !== null && AWAITING in v;
}

/** Waits for `promise` inside a `Call` (real-world code only). */
export function* awaitPromise<T>(promise: Promise<T>): Call<T> {
  const marker: Awaiting = { [AWAITING]: true, promise };
  return (yield marker) as T;
}

/**
 * Runs `call` outside the simulation, awaiting each promise it yields.
 * @throws Error when the call yields anything but an `awaitPromise()` marker (a model step)
 */
export async function runCall<T>(call: Call<T>): Promise<T> {
  let input: unknown;
  let failure: { readonly error: unknown } | null = null;
  for (;;) {
    const r = failure === null ? call.next(input) : call.throw(failure.error);
    failure = null;
    if (r.done === true) return r.value;
    if (!isAwaiting(r.value)) throw new Error("Cannot run a model step outside the simulation");
    try {
      input = await r.value.promise;
    } catch (e) {
      failure = { error: e };
    }
  }
}

/**
 * Runs `call` to its end without waiting: for code over a real sysfs tree or in-memory input.
 * @throws Error when the call would have to wait (it yields)
 */
export function runSync<T>(call: Call<T>): T {
  const r = call.next();
  if (r.done !== true) {
    call.return(undefined as T);
    throw new Error("Cannot run a call synchronously: it waits for a step or a promise");
  }
  return r.value;
}
