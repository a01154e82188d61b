/**
 * A scenario step kind ("op"): its schema, how it prints, and how it runs. Every op is one
 * call a process or an administrator makes. Later issues add ops by adding a definition to
 * the registry in ops.ts; the loader, runner, report and docs pick it up from there.
 */
import { z } from "zod";
import type { SleepState } from "../kernel/mod.js";
import type { ErrnoName, SysResult, Syscalls, Call, Fd } from "../uapi/mod.js";
import { parseDurationUs } from "./duration.js";
import { didYouMean } from "./suggest.js";
import { REF_PATTERN, type Fields, type NamedResults } from "./values.js";

export type Outcome =
  | { readonly status: "ok"; readonly fields: Fields }
  | { readonly status: "errno"; readonly errno: ErrnoName }
  /**
   * A fault's signal, SIGKILL of a program killed in the step (at a reboot, by kill(2)), or
   * a SIGTERM it had no handler for.
   */
  | { readonly status: "signal"; readonly signal: "SIGBUS" | "SIGSEGV" | "SIGKILL" | "SIGTERM" }
  /** The step could not be carried out as written (an unresolved name, no card in a slot). */
  | { readonly status: "error"; readonly message: string }
  /**
   * The step never returned: its program was still asleep at the end. `call` is the system
   * call it was in (as traced, e.g. "read(3, 4096)"; null outside one), `wait` what it waited
   * for, `state` how it slept.
   */
  | {
      readonly status: "blocked";
      readonly call: string | null;
      readonly wait: string;
      readonly state: SleepState;
      readonly sinceTick: number;
    };

/** What happens outside one program: the machine's hardware and the programs' rendezvous. */
export interface Machine {
  /** Pulls the card at `bdf` out of its hot-plug slot; an error message if it cannot. */
  pullCard(bdf: string): Call<string | null>;
  /** Plugs a new card for `driver` into the empty slot of `bdf`; an error message if it cannot. */
  plugCard(bdf: string, driver: string): Call<string | null>;
  /**
   * Plugs a display into the output of the card at `bdf` (`plugged`), or pulls it out; an
   * error message if it cannot.
   */
  setDisplay(bdf: string, plugged: boolean): Call<string | null>;
  /**
   * Restarts the machine for the calling program, which goes on in a new process after the
   * boot; returns its pid.
   */
  reboot(): Call<number>;
  signal(name: string): void;
  /** The pid of program `name` now (a new one after a reboot), or undefined if none has it. */
  pidOf(program: string): number | undefined;
  /** Files that outlive a program (a daemon's journal), by path: their lines. */
  readonly stateFiles: Map<string, string[]>;
  /** Waits until `name` was signalled; false on timeout. */
  waitSignal(name: string, timeoutUs: number | null): Call<boolean>;
}

export interface StepContext {
  readonly program: string;
  readonly sys: Syscalls;
  readonly names: NamedResults;
  readonly machine: Machine;
  /** The program's uevent socket, opened before its first step when it has wait-uevent steps. */
  readonly ueventFd: Fd | null;
}

/** A field of a step's arguments or expected results that cannot be what the step needs. */
export interface FieldProblem {
  /** Where, below the mapping that was checked (`args:` or `expect:`). */
  readonly path: readonly (string | number)[];
  /** Point at the key (an unknown or misplaced field) rather than at its value. */
  readonly atKey: boolean;
  readonly message: string;
}

export interface OpDef<A> {
  readonly name: string;
  /** One line for docs and `vdrm ops`. */
  readonly summary: string;
  /** The result field `$name` alone refers to. */
  readonly main?: string;
  /** Validates the step's own keys (the op key included; `as`, `expect`, `note` are removed first). */
  readonly schema: z.ZodType<A>;
  describe(args: A): string;
  /**
   * For steps whose result fields are known from their arguments (an ioctl's struct): the
   * problems of an `expect:` mapping of fields, checked when the file is loaded.
   */
  readonly checkExpected?: (args: A, fields: Readonly<Record<string, unknown>>) => readonly FieldProblem[];
  run(ctx: StepContext, args: A): Call<Outcome>;
  /** The names the step signals besides a `signal` step's (a program's "ready"), for the load-time check of `wait`s. */
  readonly signals?: (args: A) => readonly string[];
}

/** An op with its argument type erased, as the registry holds it. */
export type AnyOp = OpDef<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function defineOp<A>(op: OpDef<A>): AnyOp {
  return op;
}

// ------------------------------------------------------------------ schema pieces

export const ref = z.string().regex(REF_PATTERN, "expected a $name or $name.field reference");
export const intOrRef = z.union([z.number().int(), ref]);
/** A duration (see duration.ts): "250us", "10ms", "2s", or a bare number of microseconds. */
export const duration = z.union([z.number(), z.string()]).refine((v) => parseDurationUs(v) !== null, {
  message: 'expected a duration with a unit, such as "250us", "10ms" or "2s" (a bare number is whole microseconds)',
});

/** One of a fixed set of names, with a suggestion when the name is close to one. */
export function oneOf<const T extends string>(what: string, names: readonly T[]): z.ZodType<T> {
  return z.string().superRefine((v, ctx) => {
    if (!(names as readonly string[]).includes(v)) ctx.addIssue({ code: "custom", message: `unknown ${what} "${v}"${didYouMean(v, names)}; expected one of ${names.join(", ")}` });
  }) as unknown as z.ZodType<T>;
}

/** A validated duration in microseconds; `fallbackUs` when the step leaves it out. */
export function durationUs(v: number | string | undefined, fallbackUs: number): number {
  return v === undefined ? fallbackUs : parseDurationUs(v) ?? fallbackUs;
}

// ------------------------------------------------------------------ outcomes

export function okFields(fields: Fields): Outcome {
  return { status: "ok", fields };
}

export function fromSys<T>(r: SysResult<T>, fields: (v: T) => Fields): Outcome {
  return r.ok ? { status: "ok", fields: fields(r.value) } : { status: "errno", errno: r.errno };
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
