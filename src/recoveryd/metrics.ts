/**
 * The Prometheus endpoint (prom-client): WEDGED events by method, recoveries by action and
 * outcome, each device's state, refused DEVPATHs; `GET /metrics` in the text format and
 * `GET /status` as JSON (status.ts). It listens on 127.0.0.1:9464 by default, or on a Unix
 * socket (`listen: unix:/run/vdrm-recoveryd.sock`, mode 0600), or nowhere (`off`).
 */
import { createServer, type Server } from "node:http";
import { chmodSync, lstatSync, unlinkSync } from "node:fs";
import { Counter, Gauge, Registry } from "prom-client";
import type { DaemonObserver } from "./context.js";
import type { DeviceStateName, Outcome } from "./journal.js";
import type { Action } from "./plan.js";

const STATES: readonly DeviceStateName[] = ["wedged", "recovering", "recovered", "backoff", "given-up", "refused"];

export class Metrics implements DaemonObserver {
  readonly registry = new Registry();
  private readonly events = new Counter({ name: "vdrm_recoveryd_wedged_events_total", help: "WEDGED uevents received, by method offered", labelNames: ["method"], registers: [this.registry] });
  private readonly recoveries = new Counter({ name: "vdrm_recoveryd_recoveries_total", help: "Recoveries, by action and outcome", labelNames: ["action", "outcome"], registers: [this.registry] });
  private readonly state = new Gauge({ name: "vdrm_recoveryd_device_state", help: "1 for the state each device is in", labelNames: ["device", "state"], registers: [this.registry] });
  private readonly refused = new Counter({ name: "vdrm_recoveryd_refused_devpaths_total", help: "WEDGED events whose DEVPATH did not resolve to a PCI device under the sysfs root", registers: [this.registry] });

  event(methods: readonly string[]): void {
    for (const method of methods) this.events.inc({ method });
  }

  recovery(action: Action, outcome: Outcome): void {
    this.recoveries.inc({ action, outcome });
  }

  deviceState(device: string, state: DeviceStateName): void {
    for (const s of STATES) this.state.set({ device, state: s }, s === state ? 1 : 0);
  }

  refusedDevpath(): void {
    this.refused.inc();
  }
}

export type ListenAddress = { readonly k: "tcp"; readonly host: string; readonly port: number } | { readonly k: "unix"; readonly path: string } | { readonly k: "off" };

export function parseListen(text: string): ListenAddress {
  if (text === "off") return { k: "off" };
  if (text.startsWith("unix:")) return { k: "unix", path: text.slice(5) };
  const colon = text.lastIndexOf(":");
  return { k: "tcp", host: text.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port: Number(text.slice(colon + 1)) };
}

/** Starts the listener; resolves to the server (null for `off`) or rejects with the reason. */
export async function serveMetrics(metrics: Metrics, address: ListenAddress, status: () => unknown): Promise<Server | null> {
  if (address.k === "off") return null;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") res.writeHead(405).end();
    else if (path === "/metrics") void metrics.registry.metrics().then((text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text));
    else if (path === "/status") res.writeHead(200, { "content-type": "application/json" }).end(`${JSON.stringify(status())}\n`);
    else res.writeHead(404).end();
  });
  if (address.k === "unix") {
    try {
      if (lstatSync(address.path).isSocket()) unlinkSync(address.path);
    } catch {
      // No stale socket.
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (address.k === "unix") server.listen(address.path, () => resolve());
    else server.listen(address.port, address.host, () => resolve());
  });
  if (address.k === "unix") chmodSync(address.path, 0o600);
  return server;
}
