/**
 * The recovery daemon (`vdrm recoveryd`, docs/recoveryd.md) as a step: the program runs the
 * daemon's own code over its system calls (src/recoveryd/host_model.ts) until the daemon is
 * stopped (SIGTERM, which it handles as the real one does: it ends between two recoveries) or
 * killed. Make its program a service (`service: true`) so that the run stops it once the
 * other programs have ended, as systemd stops a unit.
 *
 * What is userspace's own stays in the scenario, so that a restarted daemon finds it: the
 * journal and the telemetry are files of the machine (`Machine.stateFiles`), and the programs
 * the daemon starts are those the model has: `systemctl stop UNIT` sends SIGTERM to the
 * scenario program named UNIT (or UNIT.service); any other program does not exist (ENOENT).
 */
import { z } from "zod";
import { configSchema, RecoveryDaemon, syscallsHost, type Config, type JournalStore, type ProgramRunner, type TelemetryStore } from "../recoveryd/mod.js";
import type { Call, Syscalls } from "../uapi/mod.js";
import { defineOp, okFields, oneOf, type Machine, type Outcome } from "./op.js";

/** A journal file of the machine: its lines, kept by the scenario. */
class MachineJournal implements JournalStore {
  constructor(readonly name: string, private readonly lines: string[]) {}
  *readAll(): Call<string[]> {
    return [...this.lines];
  }
  *append(line: string): Call<void> {
    this.lines.push(line);
  }
}

function fileLines(machine: Machine, path: string): string[] {
  let lines = machine.stateFiles.get(path);
  if (lines === undefined) {
    lines = [];
    machine.stateFiles.set(path, lines);
  }
  return lines;
}

function telemetryStore(machine: Machine, root: string): TelemetryStore {
  return {
    *save(dir, name, data) {
      const path = `${root}/${dir}/${name}`;
      if (machine.stateFiles.has(path)) return { ok: false, error: "EEXIST" };
      const text = typeof data === "string" ? data : new TextDecoder().decode(data);
      machine.stateFiles.set(path, text.split("\n"));
      return { ok: true, path };
    },
  };
}

/** The programs a daemon may start in the model: `systemctl stop` of scenario programs. */
function modelRunner(sys: Syscalls, machine: Machine): ProgramRunner {
  return {
    *run(argv) {
      if (argv[0] !== "systemctl" || argv[1] !== "stop" || argv.length < 3)
        return { argv, status: { k: "failed", error: "ENOENT" }, stdout: "", stderr: "" };
      let stderr = "";
      for (const unit of argv.slice(2)) {
        const pid = machine.pidOf(unit.replace(/\.service$/, ""));
        const r = pid === undefined ? null : yield* sys.kill(pid, "SIGTERM");
        if (r === null || !r.ok) stderr += `Failed to stop ${unit}: Unit ${unit} not loaded.\n`;
      }
      return { argv, status: { k: "exited", code: stderr === "" ? 0 : 5 }, stdout: "", stderr };
    },
  };
}

const args = z.object({
  recoveryd: z.object({
    apply: z.boolean().optional(),
    config: configSchema.optional(),
  }).strict().nullable(),
}).strict();

export const recoverydOp = defineOp({
  name: "recoveryd",
  summary: "runs vdrm recoveryd (dry run unless apply: true; config: the YAML configuration's keys) until it is stopped; result exit, printed (its standard output), outcomes (of its recoveries), log (its structured log's messages)",
  main: "exit",
  schema: args,
  describe: (a) => `recoveryd${a.recoveryd?.apply === true ? " --apply" : ""}`,
  *run(ctx, a): Call<Outcome> {
    const config: Config = a.recoveryd?.config ?? configSchema.parse({});
    const mode = a.recoveryd?.apply === true ? "apply" : "dry-run";
    const printed: string[] = [];
    const log: string[] = [];
    const journalLines = fileLines(ctx.machine, config.journal);
    const before = journalLines.length;
    const host = syscallsHost({
      sys: ctx.sys, config, selfPid: yield* ctx.sys.getpid(),
      journal: new MachineJournal(config.journal, journalLines),
      telemetry: telemetryStore(ctx.machine, config.telemetryDir),
      runner: modelRunner(ctx.sys, ctx.machine),
      out: { print: (l) => void printed.push(l), log: (r) => void log.push(`${r.level}: ${r.msg}`) },
    });
    const daemon = new RecoveryDaemon(host, config, mode);
    yield* ctx.sys.sigaction("SIGTERM", () => daemon.stop());
    const exit = yield* daemon.run();
    yield* host.source.close();
    const outcomes = journalLines.slice(before).flatMap((l) => {
      const r = JSON.parse(l) as { type: string; action?: string; outcome?: string };
      return r.type === "outcome" ? [`${r.action} ${r.outcome}`] : [];
    });
    return okFields({ exit: exit.reason, printed, outcomes, log });
  },
});

const killArgs = z.union([
  z.string(),
  z.object({ program: z.string(), signal: oneOf("signal", ["SIGTERM", "SIGKILL"] as const).optional() }).strict(),
]);

function killTarget(a: z.infer<typeof killArgs>): { program: string; signal: "SIGTERM" | "SIGKILL" } {
  return typeof a === "string" ? { program: a, signal: "SIGTERM" } : { program: a.program, signal: a.signal ?? "SIGTERM" };
}

/** The program a parsed `kill` step's arguments name. */
export function killedProgram(args: unknown): string {
  return killTarget((args as z.infer<typeof killArgsDoc>).kill).program;
}

const killArgsDoc = z.object({ kill: killArgs }).strict();

export const killOp = defineOp({
  name: "kill",
  summary: "sends SIGTERM to another program (kill: NAME), or another signal (kill: {program: NAME, signal: SIGKILL}), as kill(1) does; result pid",
  main: "pid",
  schema: killArgsDoc,
  describe: (a) => {
    const t = killTarget(a.kill);
    return `kill -${t.signal.slice(3)} ${t.program}`;
  },
  *run(ctx, a): Call<Outcome> {
    const t = killTarget(a.kill);
    const pid = ctx.machine.pidOf(t.program);
    if (pid === undefined) return { status: "error", message: `no program ${t.program} is running` };
    const r = yield* ctx.sys.kill(pid, t.signal);
    return r.ok ? okFields({ pid }) : { status: "errno", errno: r.errno };
  },
});
