import assert from "node:assert/strict";
import { test } from "node:test";
import { Prng } from "../kernel/mod.js";
import { decodeReplayToken, encodeReplayToken, type ReplayToken } from "./replay_token.js";

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function token(decisions: readonly number[], seed = 7): ReplayToken {
  return { seed, profile: "mainline", kernel: "7.1", decisions };
}

function roundTrip(t: ReplayToken): ReplayToken {
  const text = encodeReplayToken(t);
  assert.match(text, /^v1\.[A-Za-z0-9_-]+$/);
  const r = decodeReplayToken(text);
  assert.ok(r.ok, r.ok ? "" : r.message);
  return r.token;
}

function randomChoices(seed: number, count: number, runnableMax: number): number[] {
  const prng = new Prng(seed);
  return Array.from({ length: count }, () => prng.index(prng.intInclusive(2, runnableMax)));
}

test("decodeReplayToken() inverts encodeReplayToken() for seeds, profiles, kernels and lists of any shape", () => {
  const lists = [
    [],
    [0],
    [1],
    [0, 0, 0],
    [1, 0, 1, 1],
    [3, 0, 12, 7, 1],
    [2 ** 31 - 1, 0],
    randomChoices(1, 5000, 2),
    randomChoices(2, 999, 9),
  ];
  for (const decisions of lists) assert.deepEqual(roundTrip(token(decisions)), token(decisions));
  for (const seed of [0, 1, 127, 128, 2 ** 31, Number.MAX_SAFE_INTEGER])
    assert.equal(roundTrip(token([1], seed)).seed, seed);
  const doc: ReplayToken = { seed: 3, profile: "uapi-doc", kernel: "6.8", decisions: [0, 1] };
  assert.deepEqual(roundTrip(doc), doc);
});

test("encodeReplayToken() spends about one bit on a choice between two tasks, and less on long runs of one choice", () => {
  const binary = randomChoices(3, 4000, 2);
  assert.ok(
    encodeReplayToken(token(binary)).length < (4000 / 6) * 1.1,
    "4000 two-way choices in about 4000 bits of base64url",
  );
  const runs = Array.from({ length: 20_000 }, (_, i) => Math.floor(i / 500) % 3);
  assert.ok(
    encodeReplayToken(token(runs)).length < 200,
    "long runs of one choice are run-length coded",
  );
  assert.deepEqual(roundTrip(token(runs)).decisions, runs);
});

test("decodeReplayToken() refuses every token with one character changed, added or removed", () => {
  const text = encodeReplayToken(token(randomChoices(4, 300, 3)));
  for (let i = 3; i < text.length; i++) {
    const other = BASE64URL[(BASE64URL.indexOf(text[i]!) + 1 + (i % 63)) % 64]!;
    for (const changed of [
      text.slice(0, i) + other + text.slice(i + 1),
      text.slice(0, i) + text.slice(i + 1),
      text.slice(0, i) + other + text.slice(i),
    ]) {
      const r = decodeReplayToken(changed);
      assert.equal(r.ok, false, `accepted ${changed}`);
      assert.match(
        r.ok ? "" : r.message,
        /^Cannot read replay token: it does not match its checksum/,
        changed,
      );
    }
  }
});

test("decodeReplayToken() says what is wrong with text that is not a token", () => {
  const cases: [string, string][] = [
    ["", 'it must start with "v1." (got "")'],
    ["AAAA", 'it must start with "v1." (got "AAAA")'],
    ["v2.AAAA", "version v2 is not supported; this vdrm reads v1"],
    ["v1.AB=C", 'character 6 ("=") is not one of A-Z a-z 0-9 - _'],
    [
      "v1.AAA",
      "it does not match its checksum (a character was changed, added or removed; copy the whole token)",
    ],
  ];
  for (const [text, why] of cases)
    assert.deepEqual(
      decodeReplayToken(text),
      { ok: false, message: `Cannot read replay token: ${why}` },
      text,
    );
});

test("decodeReplayToken() refuses a well-formed token for a profile or kernel this vdrm does not know", () => {
  const unknownKernel = encodeReplayToken({
    ...token([0]),
    kernel: "5.4" as ReplayToken["kernel"],
  });
  assert.deepEqual(decodeReplayToken(unknownKernel), {
    ok: false,
    message: 'Cannot read replay token: unknown kernel version "5.4"',
  });
  const unknownProfile = encodeReplayToken({
    ...token([0]),
    profile: "vendor" as ReplayToken["profile"],
  });
  assert.deepEqual(decodeReplayToken(unknownProfile), {
    ok: false,
    message: 'Cannot read replay token: unknown profile "vendor"',
  });
});

test("encodeReplayToken() refuses a decision that is not a small non-negative integer", () => {
  for (const bad of [-1, 0.5, 2 ** 31, Number.NaN])
    assert.throws(() => encodeReplayToken(token([0, bad])), RangeError, String(bad));
});

test("a run that made more decisions than a token holds prints why, and its seed command", async () => {
  const { replayCommand, replayToken } = await import("./replay.js");
  const { DECISIONS_MAX } = await import("./replay_token.js");
  const decisions = new Array<number>(DECISIONS_MAX + 1).fill(0);
  const run = {
    scenario: { file: "s.yaml" }, seed: 3, profile: "mainline", kernel: "7.1",
    stepsMax: 30_000_000, world: { sim: { decisions } },
  } as unknown as Parameters<typeof replayCommand>[0];
  assert.equal(replayToken(run), null);
  assert.equal(
    replayCommand(run),
    `(no replay token: the run made ${DECISIONS_MAX + 1} scheduling decisions, more than the ` +
      `${DECISIONS_MAX} a token holds; the seed command reruns it)`,
  );
  decisions.pop();
  assert.match(replayCommand(run), /^vdrm run s\.yaml --replay v1\.\S+ --max-steps 30000000$/);
});
