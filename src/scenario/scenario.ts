/**
 * A scenario as the runner sees it, after loading and validation: the world, the programs
 * and their steps, and the final checks. See docs/scenarios.md for the file format.
 */
import type { KernelVersion, ProfileName } from "../base/mod.js";
import type { FindingClass, FindingKind } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import type { DeviceSpec } from "../world/mod.js";
import type { AnyOp } from "./op.js";
import type { Value } from "./values.js";

export type Expectation =
  | { readonly kind: "ok" }
  | { readonly kind: "errno"; readonly errno: ErrnoName }
  | { readonly kind: "signal"; readonly signal: "SIGBUS" | "SIGSEGV" | "SIGKILL" | "SIGTERM" }
  /**
   * Success, and these result fields have these values (which may be `$name` references).
   * `written`: how a number or true/false was written in the file ("0x10"), to compare it
   * with a text result.
   */
  | {
      readonly kind: "fields";
      readonly fields: Readonly<Record<string, Value>>;
      readonly written?: Readonly<Record<string, string>>;
    }
  /** Any one of these (for steps that race). */
  | { readonly kind: "one-of"; readonly options: readonly Expectation[] }
  /** The call never returns: it is still blocked when the programs are stopped at the end. */
  | { readonly kind: "blocked" };

/** How a step was copied from the text: through an alias of a snippet, or by a `repeat`. */
export type StepCopy =
  | { readonly kind: "alias"; readonly name: string; readonly line: number }
  /** Repetition `n` of `of`; `as` names the counter, whose value here is `value`. */
  | {
      readonly kind: "repeat";
      readonly as?: string;
      readonly value: Value;
      readonly n: number;
      readonly of: number;
      readonly line: number;
    };

export interface Step {
  /** 1-based, within its program. */
  readonly index: number;
  readonly op: AnyOp;
  readonly args: unknown;
  readonly as?: string;
  readonly expect?: Expectation;
  readonly note?: string;
  /** Where the step starts in the file, 1-based. */
  readonly line: number;
  /** The aliases and repetitions it was copied through, outermost first. */
  readonly copies?: readonly StepCopy[];
}

export interface ProgramSpec {
  readonly name: string;
  readonly steps: readonly Step[];
  /**
   * The program may still be asleep in an interruptible wait at the end (a daemon, a reader
   * waiting for an event that never comes); otherwise that ends the run with verdict
   * `blocked`. A step expecting `blocked` allows it for that step.
   */
  readonly mayEndBlocked: boolean;
  /**
   * A service (a daemon): once every program that is not a service has ended, it is stopped
   * as systemd stops a unit: SIGTERM, then SIGKILL if it still runs after its stop timeout.
   * null for an ordinary program.
   */
  readonly service: ServiceSpec | null;
}

export interface ServiceSpec {
  /** From SIGTERM to SIGKILL (systemd's TimeoutStopSec, 90 s by default). */
  readonly stopTimeoutUs: number;
}

/** systemd's DefaultTimeoutStopSec. */
export const STOP_TIMEOUT_US = 90_000_000;

export interface DeviceCheck {
  readonly bdf: string;
  readonly present?: boolean;
  /** The bound driver, or null for none. */
  readonly driver?: string | null;
  /** The DRM nodes of the device (card*, renderD*), in any order. */
  readonly nodes?: readonly string[];
}

/** A uevent by some of its keys, keys it must lack, and an order its keys must come in. */
export interface UeventExpectation {
  readonly keys: Readonly<Record<string, string>>;
  readonly lacks: readonly string[];
  /** These keys appear in this order (others may come between). */
  readonly order: readonly string[];
}

export interface Checks {
  /** No finding beyond those listed in `findings`. @default true */
  readonly clean: boolean;
  /** Findings that must occur, by kind (use-after-free, warn, ...) or class (memory, hang, leak, warn). */
  readonly findings: readonly (FindingKind | FindingClass)[];
  /** Uevents that must be seen in this order (others may come between). */
  readonly uevents: readonly UeventExpectation[];
  readonly devices: readonly DeviceCheck[];
}

export interface ScenarioWorld {
  readonly seed?: number;
  readonly profile?: ProfileName;
  readonly kernel?: KernelVersion;
  readonly devices: readonly DeviceSpec[];
  /** Extra empty hot-plug slots (root port device numbers) for plug-card. */
  readonly slots: readonly number[];
}

export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly description?: string;
  readonly world: ScenarioWorld;
  readonly programs: readonly ProgramSpec[];
  readonly checks: Checks;
  /** Told with this driver in place of the file's (`--driver`, ./with_driver.ts). */
  readonly driver?: string;
}
