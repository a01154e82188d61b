/**
 * Runs the units of a split search (split.ts): in this thread one after the other, or on a
 * pool of worker threads (Piscina). The units wait in one queue, the largest estimate first
 * (split.ts, dealOrder()), and each lane takes the next when it is free; after a failure
 * (unless `all`) no unit after the failing one (in the canonical order) starts, and when
 * `timeS` runs out no unit starts at all (those running get the time left). Which units ran
 * where, and in what order they finished, does not change the combined result (combine.ts).
 */
import { Piscina } from "piscina";
import type { Scenario } from "../scenario/mod.js";
import { combine, type Combined } from "./combine.js";
import type { ExploreOptions } from "./search.js";
import { dealOrder, type Unit } from "./split.js";
import { runUnit, type UnitResult } from "./unit.js";
import type { UnitTask, UnitWorkerData } from "./unit_worker.js";

/**
 * Where units run: with N workers, this thread (warm: it has loaded the model and listed the
 * units) and a pool of N - 1 worker threads, started at once so that they load vdrm and the
 * scenario (workerData) while this thread lists the units. Each pool thread has two units in flight, so it does not
 * wait for this thread (busy with a unit of its own) to hand it the next one.
 */
export class UnitRunner {
  private readonly pool: Piscina<UnitTask, UnitResult> | null;

  constructor(readonly workers: number, private readonly file: string) {
    this.pool = workers > 1
      ? new Piscina<UnitTask, UnitResult>({
        filename: new URL("./unit_worker.js", import.meta.url).href,
        minThreads: workers - 1, maxThreads: workers - 1, workerData: { file } satisfies UnitWorkerData,
      })
      : null;
  }

  /** Lanes that take units: this thread's, then two per pool thread. */
  get lanes(): number {
    return 1 + 2 * (this.workers - 1);
  }

  async run(sc: Scenario, o: ExploreOptions, unit: Unit, lane: number): Promise<UnitResult> {
    if (lane === 0 || this.pool === null) {
      await new Promise((resolve) => setImmediate(resolve));
      return runUnit(sc, o, unit);
    }
    return this.pool.run({ file: this.file, options: o, unit });
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}

export interface RunUnitsOptions {
  /** Called after each unit with the combined result so far. */
  readonly progress?: (c: Combined, units: number) => void;
  readonly clock?: () => number;
}

/** The options a unit gets: plain data, the time left instead of the whole time. */
function unitOptions(o: ExploreOptions, timeLeftS: number | undefined): ExploreOptions {
  const { progress: _p, clock: _c, seen: _s, unit: _u, ...plain } = o;
  return timeLeftS === undefined ? plain : { ...plain, timeS: timeLeftS };
}

/** Runs `units` on `runner` and combines their results. */
export async function runUnits(
  sc: Scenario, o: ExploreOptions, units: readonly Unit[], runner: UnitRunner, r: RunUnitsOptions = {},
): Promise<{ results: UnitResult[]; combined: Combined }> {
  const clock = r.clock ?? (() => performance.now());
  const start = clock();
  const timeLeft = (): number | undefined => (o.timeS === undefined ? undefined : o.timeS - (clock() - start) / 1000);
  const expected = units.map((u) => u.index);
  const results: UnitResult[] = [];
  let failedAt = Number.POSITIVE_INFINITY;
  const queue = dealOrder(units);
  const startNext = (): Unit | null => {
    const left = timeLeft();
    if (left !== undefined && left <= 0) return null;
    // Units after a failing one (in the canonical order) would be left out: skip them.
    for (let u = queue.shift(); u !== undefined; u = queue.shift()) if (u.index < failedAt) return u;
    return null;
  };
  const lane = async (_: unknown, i: number): Promise<void> => {
    for (let u = startNext(); u !== null; u = startNext()) {
      const res = await runner.run(sc, unitOptions(o, timeLeft()), u, i);
      results.push(res);
      if (res.failures.length > 0 && o.all !== true) failedAt = Math.min(failedAt, res.index);
      r.progress?.(combine(results, expected, o.all === true, clock() - start), results.length);
    }
  };
  await Promise.all(Array.from({ length: runner.lanes }, lane));
  results.sort((a, b) => a.index - b.index);
  return { results, combined: combine(results, expected, o.all === true, clock() - start) };
}
