/**
 * `--replay TOKEN` and `--print-replay` at the command line: every run prints a token that
 * reruns its schedule decision for decision in a new process, and a token that is damaged or
 * does not fit the run is refused with exit 2 and a message saying why.
 *
 * Decision lists are never written here: each test records one from a run first (the
 * schedule for a seed changes whenever the model's steps change).
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { decodeReplayToken, encodeReplayToken, type ReplayToken } from "../scenario/mod.js";
import { ROOT, scratchDir, vdrmArgs as vdrm } from "./_test_cli.js";

const EGPU = "scenarios/egpu-pull.yaml";
const tmp = scratchDir();

/** The events of the first run in a JSON trace file (`--trace T.json`). */
function traceEvents(file: string): { t: string }[] {
  const trace = JSON.parse(readFileSync(file, "utf8")) as { runs: { events: { t: string }[] }[] };
  return trace.runs[0]!.events;
}

interface TracedRun {
  readonly json: Record<string, unknown>;
  readonly token: ReplayToken;
  readonly tokenText: string;
  readonly events: readonly { t: string }[];
}

/** `vdrm run FILE ARGS --json --trace T.json`, read back: its JSON line, token and trace. */
function tracedRun(name: string, ...args: string[]): TracedRun {
  const trace = join(tmp, `${name}.json`);
  const r = vdrm("run", EGPU, ...args, "--json", "--trace", trace);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as Record<string, unknown>;
  const tokenText = json["replayToken"] as string;
  const decoded = decodeReplayToken(tokenText);
  assert.ok(decoded.ok, `the printed token reads back: ${tokenText}`);
  return { json, token: decoded.token, tokenText, events: traceEvents(trace) };
}

/** The steps of a trace in order: task and kernel function of each. */
function stepSequence(events: readonly { t: string }[]): string[] {
  return events.filter((e) => e.t === "step").map((e) => JSON.stringify(e));
}

/** A seeded egpu-pull run, recorded once for the tests below. */
const original = tracedRun("seed7", "--seed", "7");

describe("vdrm run --replay", () => {
  it("a token reproduces a seeded egpu-pull run decision for decision in a new process", () => {
    assert.ok(original.token.decisions.length > 0, "the run made scheduling decisions");
    assert.deepEqual(
      { ...original.token, decisions: [] },
      { seed: 7, profile: "mainline", kernel: "7.1", decisions: [] },
    );
    assert.equal(original.json["replay"], `vdrm run ${EGPU} --replay ${original.tokenText}`);
    assert.equal(
      original.json["seedCommand"],
      `vdrm run ${EGPU} --seed 7 --profile mainline --kernel 7.1`,
    );

    const replayed = tracedRun("replayed", "--replay", original.tokenText);
    assert.deepEqual(replayed.token.decisions, original.token.decisions);
    assert.ok(stepSequence(original.events).length > 100);
    assert.deepEqual(stepSequence(replayed.events), stepSequence(original.events));
    assert.deepEqual(replayed.events, original.events, "the whole trace, not only the steps");
    assert.deepEqual(replayed.json["steps"], original.json["steps"]);
  });

  it("the token's decisions, not its seed, choose the schedule", () => {
    const decisions = [...original.token.decisions];
    // Another task at the last choice point (every choice point has two runnable tasks or more).
    decisions[decisions.length - 1] = decisions[decisions.length - 1] === 0 ? 1 : 0;
    const r = vdrm(
      "run",
      EGPU,
      "--replay",
      encodeReplayToken({ ...original.token, decisions }),
      "--json",
      "--trace",
      join(tmp, "flipped.json"),
    );
    if (r.code === 0) {
      const events = traceEvents(join(tmp, "flipped.json"));
      assert.notDeepEqual(stepSequence(events), stepSequence(original.events));
    } else {
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /Cannot (replay decision|finish replay)/);
    }
  });

  it("refuses a token with a changed character (exit 2), naming the checksum", () => {
    const i = Math.floor(original.tokenText.length / 2);
    const mangled =
      original.tokenText.slice(0, i) +
      (original.tokenText[i] === "A" ? "B" : "A") +
      original.tokenText.slice(i + 1);
    const r = vdrm("run", EGPU, "--replay", mangled);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /Cannot read replay token: it does not match its checksum \(a character was changed, added or removed; copy the whole token\)/,
    );
  });

  it("refuses a token whose list runs out before the run ends, naming the decision and the runnable tasks", () => {
    const n = original.token.decisions.length;
    const r = vdrm(
      "run",
      EGPU,
      "--replay",
      encodeReplayToken({ ...original.token, decisions: original.token.decisions.slice(0, n - 1) }),
    );
    assert.equal(r.code, 2);
    assert.ok(
      r.stderr.startsWith(
        `vdrm run: ${EGPU}: Cannot replay decision ${n - 1}: the list ends after ${n - 1} decisions but the run goes on (runnable: [0] `,
      ),
      r.stderr,
    );
    assert.match(
      r.stderr,
      /; the token does not fit this run \(it was printed for another one, or the scenario or vdrm changed since\)\n$/,
    );
  });

  it("refuses a token whose list is longer than the run", () => {
    const n = original.token.decisions.length;
    const r = vdrm(
      "run",
      EGPU,
      "--replay",
      encodeReplayToken({ ...original.token, decisions: [...original.token.decisions, 0, 1, 0] }),
    );
    assert.equal(r.code, 2);
    assert.ok(
      r.stderr.includes(
        `Cannot finish replay: the run ended after ${n} decisions but the list holds ${n + 3}`,
      ),
      r.stderr,
    );
  });

  it("refuses a decision that picks no runnable task", () => {
    const decisions = [1000, ...original.token.decisions.slice(1)];
    const r = vdrm("run", EGPU, "--replay", encodeReplayToken({ ...original.token, decisions }));
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /Cannot replay decision 0: it picks choice 1000 but only \d+ are runnable \(\[0\] [^,]+, \[1\] /,
    );
  });

  it("refuses --seed, --profile or --kernel that contradict the token, and accepts the same values", () => {
    const r = vdrm(
      "run",
      EGPU,
      "--replay",
      original.tokenText,
      "--seed",
      "8",
      "--profile",
      "uapi-doc",
    );
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "vdrm run: --seed 8, --profile uapi-doc conflict with the replay token (seed 7, profile mainline); the token sets the seed, profile and kernel: drop those options\n",
    );
    const same = vdrm(
      "run",
      EGPU,
      "--replay",
      original.tokenText,
      "--seed",
      "7",
      "--kernel",
      "7.1",
    );
    assert.equal(same.code, 0, same.stderr);
    const two = vdrm("run", EGPU, EGPU, "--replay", original.tokenText);
    assert.equal(two.code, 2);
    assert.equal(two.stderr, "vdrm run: --replay reruns one run: give one scenario file, not 2\n");
  });

  // The other messages of a bad token are tested on decodeReplayToken() itself.
  it("refuses text that is not a token, and a token cut short, saying what is wrong", () => {
    const cases: [string, RegExp][] = [
      ["7", /Cannot read replay token: it must start with "v1\." \(got "7"\)/],
      [original.tokenText.slice(0, -1), /Cannot read replay token: it does not match its checksum/],
    ];
    for (const [text, message] of cases) {
      const r = vdrm("run", EGPU, "--replay", text);
      assert.equal(r.code, 2, text);
      assert.match(r.stderr, message);
    }
  });
});

describe("replay commands printed by vdrm run", () => {
  it("a failure prints the token command and the seed command, and the token reruns the failure", () => {
    const text = readFileSync(join(ROOT, "scenarios/egpu-pull-devm.yaml"), "utf8").replace(
      /^ {2}findings:.*\n/m,
      "",
    );
    const file = join(tmp, "devm.yaml");
    writeFileSync(file, text);
    const r = vdrm("run", file, "--seed", "5");
    assert.equal(r.code, 3, r.stderr);
    const m =
      /\nverdict: memory\nreplay: vdrm run (\S+) --replay (v1\.[\w-]+)\nseed: vdrm run (\S+) --seed 5 --profile mainline --kernel 7\.1\n$/.exec(
        r.stdout,
      );
    assert.ok(m, r.stdout.slice(-400));
    assert.equal(m[1], file);
    const again = vdrm("run", file, "--replay", m[2]!);
    assert.equal(again.code, 3, again.stderr);
    assert.equal(again.stdout, r.stdout, "the same timeline, findings and replay commands");
  });

  it("a pass prints no replay command unless --print-replay is given", () => {
    const quiet = vdrm("run", EGPU, "--seed", "7");
    assert.equal(quiet.code, 0);
    assert.doesNotMatch(quiet.stdout, /replay:|seed: vdrm/);
    const loud = vdrm("run", EGPU, "--seed", "7", "--print-replay");
    assert.equal(loud.code, 0);
    assert.ok(
      loud.stdout.endsWith(
        `verdict: pass\nreplay: vdrm run ${EGPU} --replay ${original.tokenText}\nseed: vdrm run ${EGPU} --seed 7 --profile mainline --kernel 7.1\n`,
      ),
      loud.stdout.slice(-300),
    );
  });
});

describe("vdrm igt --replay", () => {
  it("prints a token on failure that reruns the subtest, and refuses one that does not fit", () => {
    const r = vdrm(
      "igt",
      "hotunbind-rebind",
      "--driver",
      "vdisp-devm",
      "--seed",
      "3",
      "--kernel",
      "6.12",
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^SEED=3\n/);
    const m =
      /\nreplay: vdrm igt hotunbind-rebind --driver vdisp-devm --replay (v1\.[\w-]+)\nseed: vdrm igt hotunbind-rebind --driver vdisp-devm --seed 3 --profile mainline --kernel 6\.12\n$/.exec(
        r.stdout,
      );
    assert.ok(m, r.stdout.slice(-400));
    const again = vdrm("igt", "hotunbind-rebind", "--driver", "vdisp-devm", "--replay", m[1]!);
    assert.equal(again.code, 3, again.stderr);
    assert.equal(again.stdout, r.stdout);

    const decoded = decodeReplayToken(m[1]!);
    assert.ok(decoded.ok);
    const long = encodeReplayToken({
      ...decoded.token,
      decisions: [...decoded.token.decisions, 0],
    });
    const refused = vdrm("igt", "hotunbind-rebind", "--driver", "vdisp-devm", "--replay", long);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /^vdrm igt: Cannot finish replay: the run ended after \d+ decisions? but the list holds \d+; the token does not fit this run/,
    );
    const conflict = vdrm(
      "igt",
      "hotunbind-rebind",
      "--driver",
      "vdisp-devm",
      "--replay",
      m[1]!,
      "--kernel",
      "7.1",
    );
    assert.equal(conflict.code, 2);
    assert.match(conflict.stderr, /--kernel 7\.1 conflicts with the replay token \(kernel 6\.12\)/);
  });
});
