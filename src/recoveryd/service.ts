/**
 * The daemon as a service on a real machine: the Linux host, the metrics listener, SIGTERM
 * and SIGINT (stop between two recoveries, as systemd's stop asks), and the loop run outside
 * any simulation (`runCall`). The command line (src/cli/cmd_recoveryd.ts) reads the
 * configuration and checks it before it calls `runService()`.
 */
import type { Server } from "node:http";
import { runCall, runSync, type UeventSource } from "../udev/mod.js";
import type { Config } from "./config.js";
import { RecoveryDaemon, type DaemonExit } from "./daemon.js";
import type { Output } from "./host.js";
import { linuxHost } from "./host_linux.js";
import { readJournal, type Mode } from "./journal.js";
import { Metrics, parseListen, serveMetrics } from "./metrics.js";
import { daemonStatus } from "./status.js";

export interface ServiceOptions {
  readonly config: Config;
  readonly mode: Mode;
  readonly out: Output;
  readonly source?: UeventSource;
  /** Called once the daemon listens and its loop starts (tests, benchmarks). */
  readonly onStarted?: (daemon: RecoveryDaemon) => void;
  /** Whether SIGTERM and SIGINT stop the daemon (default true). */
  readonly signals?: boolean;
}

export class ListenError extends Error {
  override readonly name = "ListenError";
}

export async function runService(o: ServiceOptions): Promise<DaemonExit> {
  const host = linuxHost({ config: o.config, out: o.out, ...(o.source === undefined ? {} : { source: o.source }) });
  const metrics = new Metrics();
  let server: Server | null;
  try {
    server = await serveMetrics(metrics, parseListen(o.config.listen), () =>
      daemonStatus(runSync(readJournal(host.journal)).records, o.config, Date.now()));
  } catch (e) {
    throw new ListenError(`cannot listen on ${o.config.listen}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const daemon = new RecoveryDaemon(host, o.config, o.mode, metrics);
  const stop = (): void => daemon.stop();
  if (o.signals !== false) {
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  }
  try {
    o.onStarted?.(daemon);
    return await runCall(daemon.run());
  } finally {
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
    await runCall(host.source.close());
    host.journal.close();
    await new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())));
  }
}
