/**
 * What every part of the daemon shares while it runs: the host, the configuration, the mode,
 * the journal, the observer (metrics) and the structured log.
 */
import type { Config } from "./config.js";
import type { LogRecord, RecoveryHost } from "./host.js";
import type { Journal, Mode, Outcome, DeviceStateName } from "./journal.js";
import type { Action } from "./plan.js";

/** What the metrics follow. */
export interface DaemonObserver {
  event(methods: readonly string[]): void;
  recovery(action: Action, outcome: Outcome): void;
  deviceState(device: string, state: DeviceStateName): void;
  refusedDevpath(): void;
}

export const NO_OBSERVER: DaemonObserver = {
  event: () => {},
  recovery: () => {},
  deviceState: () => {},
  refusedDevpath: () => {},
};

export interface DaemonContext {
  readonly host: RecoveryHost;
  readonly config: Config;
  readonly mode: Mode;
  readonly journal: Journal;
  readonly observer: DaemonObserver;
}

export function log(ctx: DaemonContext, level: LogRecord["level"], msg: string, fields: Record<string, unknown> = {}): void {
  ctx.host.out.log({ level, msg, ...fields });
}
