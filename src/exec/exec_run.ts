/**
 * `vdrm exec`: a scenario run with one of its programs replaced by a real process. The other
 * programs run in the model as usual; the real process runs under umockdev's preload (after
 * vdrm's shim) against a testbed made from the model, and its calls on the DRM nodes are made
 * by its lane in the model (bridge.ts). While it runs, the model's clock follows the wall
 * clock: the simulation runs what is runnable at once, and a timer (a program's sleep, a
 * timeout) fires when its time has come in real time. Once the real process has exited, its
 * lane exits (closing what it left open) and the rest of the scenario runs on model time.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import {
  finishRun, startRun, STEPS_MAX_DEFAULT, type RunOverrides, type Scenario, type ScenarioRun,
} from "../scenario/mod.js";
import type { Uevent } from "../uapi/mod.js";
import { World } from "../world/mod.js";
import { ExecSession } from "./exec_session.js";
import { buildShim, checkSetup, UMOCKDEV_PRELOAD } from "./setup.js";
import { Testbed } from "./testbed.js";

export interface ExecRequest {
  readonly scenario: Scenario;
  /** The scenario program the real process replaces. */
  readonly program: string;
  readonly argv: readonly [string, ...string[]];
  readonly overrides?: RunOverrides;
  /** How the real process's stdio is connected. @default "inherit" */
  readonly stdio?: "inherit" | "pipe";
  /** Called as the model sends each uevent, in its simulation step (the bridge benchmark). */
  readonly onModelUevent?: (ev: Uevent) => void;
}

export interface ExecResult {
  readonly run: ScenarioRun;
  /** The real process's exit status (128 + the signal's number when a signal ended it). */
  readonly status: number;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Uevents the real process's monitors were sent. */
  readonly ueventsDelivered: number;
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
};

function childEnv(root: string, shim: string): NodeJS.ProcessEnv {
  const preload = [shim, UMOCKDEV_PRELOAD, process.env["LD_PRELOAD"]].filter((x) => x).join(":");
  return { ...process.env, UMOCKDEV_DIR: root, LD_PRELOAD: preload };
}

function worldFor(req: ExecRequest): World {
  const sc = req.scenario;
  const o = req.overrides ?? {};
  const profile = o.profile ?? sc.world.profile;
  const kernel = o.kernel ?? sc.world.kernel;
  return new World({
    seed: o.seed ?? sc.world.seed ?? 1, devices: sc.world.devices, trace: o.trace ?? "steps",
    ...(profile ? { profile } : {}), ...(kernel ? { kernel } : {}),
    ...(o.footprints !== undefined ? { footprints: o.footprints } : {}),
  });
}

interface ChildEnd {
  readonly status: number;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real process to its end; `session.kill` signals it meanwhile. */
async function runChild(
  req: ExecRequest, env: NodeJS.ProcessEnv, session: ExecSession,
): Promise<ChildEnd> {
  const stdio: StdioOptions = req.stdio === "pipe" ? ["ignore", "pipe", "pipe"] : "inherit";
  const child: ChildProcess = spawn(req.argv[0], req.argv.slice(1), { stdio, env });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => void (stdout += d.toString("utf8")));
  child.stderr?.on("data", (d: Buffer) => void (stderr += d.toString("utf8")));
  // A fault the model could not resolve: the real process gets the signal, as from the MMU.
  session.kill = (signal) => void child.kill(signal);
  session.pump.kick();
  type Exit = [number | null, NodeJS.Signals | null];
  const [code, signal] = await new Promise<Exit>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (c, s) => resolve([c, s]));
  });
  const status = code ?? 128 + (SIGNAL_NUMBERS[signal ?? ""] ?? 0);
  return { status, signal, stdout, stderr };
}

export async function execScenario(req: ExecRequest): Promise<ExecResult> {
  checkSetup();
  const shim = buildShim();
  const stepsMax = req.overrides?.stepsMax ?? STEPS_MAX_DEFAULT;
  const world = worldFor(req);
  const started = startRun(req.scenario, world, {}, new Set([req.program]));
  const testbed = await Testbed.start();
  const session = new ExecSession(world, testbed, req.program, stepsMax, req.onModelUevent);
  try {
    await session.attach();
    const end = await runChild(req, childEnv(testbed.root, shim), session);
    await session.detach();
    const left = session.pump.outcome;
    const outcome = left?.kind === "budget" ? left : world.run(stepsMax - session.pump.steps);
    const run = finishRun(started, outcome, stepsMax);
    return { run, ...end, ueventsDelivered: testbed.delivered };
  } finally {
    session.close();
    await testbed.close();
  }
}
