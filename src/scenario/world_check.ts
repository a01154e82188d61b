/**
 * The machine a scenario describes must be one the PCI model builds (src/pci/pci_bus.ts):
 * domain 0000; bus 00 holds the root ports, "0000:00:NN.0" for hot-plug slot NN (1..1f);
 * a card either sits on bus 00 at a device number no root port uses, or behind root port
 * NN as device 00 of bus NN (functions 0..7). A root port exists for each slot of
 * `world.slots` and for each bus a card sits on. Two cards never share an address, and a
 * slot is listed once. `plug-card` needs a slot, and `pull-card` a card that some device or
 * plug-card puts at its address. Checked when the file is loaded, so that a scenario that
 * loads never trips one of the model's assertions.
 */
import { parseBdf, type PciAddress } from "../pci/mod.js";
import type { DataPath } from "./locate.js";
import type { Step } from "./scenario.js";
import type { PathIssue } from "./zod_issues.js";

export interface WorldLayout {
  readonly devices: readonly { readonly bdf: string }[];
  readonly slots: readonly number[];
}

/** A plug-card or pull-card step and where it is written. */
export interface CardStep {
  readonly step: Step;
  readonly path: DataPath;
  readonly label: string;
}

const ROOT_PORT_MAX = 0x1f;

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

export function checkWorld(world: WorldLayout, cardSteps: readonly CardStep[]): PathIssue[] {
  const issues: PathIssue[] = [];
  const at = (path: DataPath, message: string): void =>
    void issues.push({ path, atKey: false, message });
  const seen = new Map<number, number>();
  for (const [i, n] of world.slots.entries()) {
    const first = seen.get(n);
    if (first !== undefined)
      at(["world", "slots", i], `slot ${n} is already listed (world.slots[${first + 1}])`);
    else seen.set(n, i);
  }
  const addrs = world.devices.map((d) => parseBdf(d.bdf));
  const ports = new Set(world.slots);
  for (const a of addrs) if (a !== null && a.bus > 0 && a.bus <= ROOT_PORT_MAX) ports.add(a.bus);
  const taken = new Map<string, number>();
  for (const [i, d] of world.devices.entries()) {
    const path = ["world", "devices", i, "bdf"];
    const problem = deviceProblem(d.bdf, addrs[i] ?? null, ports);
    const first = taken.get(d.bdf);
    if (problem !== null) at(path, problem);
    else if (first !== undefined)
      at(
        path,
        `${d.bdf} is taken by world.devices[${first + 1}]; two cards cannot share an address`,
      );
    else taken.set(d.bdf, i);
  }
  issues.push(...checkCardSteps(world, ports, cardSteps));
  return issues;
}

function deviceProblem(
  bdf: string,
  a: PciAddress | null,
  ports: ReadonlySet<number>,
): string | null {
  if (a === null) return `${bdf} is not a bus address (device numbers go up to 1f)`;
  if (a.domain !== 0) return `${bdf}: the model has one PCI domain, 0000`;
  if (a.bus === 0) {
    return ports.has(a.device)
      ? `${bdf} is on root port 0000:00:${hex2(a.device)}.0, which holds hot-plug slot ` +
          `${a.device}; put the card behind it at 0000:${hex2(a.device)}:00.0, ` +
          "or on bus 00 at a device number no slot uses"
      : null;
  }
  if (a.bus > ROOT_PORT_MAX) {
    const why = "cards behind a hot-plug slot sit on buses 01..1f";
    return `${bdf}: bus ${hex2(a.bus)} has no root port (${why})`;
  }
  if (a.device !== 0) {
    const fix = `0000:${hex2(a.bus)}:00.${a.fn}`;
    return `${bdf}: behind root port ${hex2(a.bus)} only device 00 exists; write ${fix}`;
  }
  return null;
}

function slotProblem(bdf: string, ports: ReadonlySet<number>): string | null {
  const a = parseBdf(bdf);
  if (a === null || a.domain !== 0) return `${bdf} is not a bus address in domain 0000`;
  if (a.bus === 0) return `${bdf} is on bus 00, not behind a hot-plug slot`;
  if (a.bus > ROOT_PORT_MAX || !ports.has(a.bus))
    return `no hot-plug slot holds ${bdf}: add ${a.bus} to world.slots`;
  if (a.device !== 0) return `${bdf}: behind root port ${hex2(a.bus)} only device 00 exists`;
  return null;
}

function checkCardSteps(
  world: WorldLayout,
  ports: ReadonlySet<number>,
  cardSteps: readonly CardStep[],
): PathIssue[] {
  const issues: PathIssue[] = [];
  const everThere = new Set(world.devices.map((d) => d.bdf));
  for (const { step } of cardSteps)
    if (step.op.name === "plug-card")
      everThere.add((step.args as { "plug-card": string })["plug-card"]);
  for (const { step, path, label } of cardSteps) {
    const name = step.op.name;
    const bdf = (step.args as Record<string, string>)[name]!;
    const problem =
      slotProblem(bdf, ports) ??
      (name === "pull-card" && !everThere.has(bdf)
        ? `no card is ever at ${bdf} ` +
          "(no device of world.devices and no plug-card step puts one there)"
        : null);
    if (problem !== null)
      issues.push({
        path: [...path, name],
        atKey: false,
        message: problem,
        step: { label, depth: path.length },
      });
  }
  return issues;
}
