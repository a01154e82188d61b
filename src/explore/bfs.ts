/**
 * Breadth-first search over choice prefixes, for the shortest counterexample: level L holds
 * every run whose first L choices are given (the rest default, see defaultChoice()). A prefix
 * whose last choice is the default one is the same run as its parent and is not run again.
 * The first failing run found has the fewest given choices. With --states, a choice point
 * whose state was seen at an earlier (or the same) level branches no more.
 */
import type { Scenario } from "../scenario/mod.js";
import { prefixChooser, type ChoiceContext, type Chooser } from "./execution.js";
import type { ChoiceNode } from "./record.js";
import { Search, type ExploreOptions, type SearchResult } from "./search.js";
import { stateHash } from "./state_hash.js";

interface Entry {
  /** How many of `decisions` are given. */
  readonly level: number;
  readonly decisions: readonly number[];
  readonly nodes: readonly ChoiceNode[];
  /** The process that ran before each choice point. */
  readonly lasts: readonly (number | null)[];
  /** State hashes at each choice point (with --states). */
  readonly hashes: readonly string[];
  readonly preemptions: number;
}

/** Follows a prefix, records the process before each choice point and (optionally) hashes. */
class BfsChooser implements Chooser {
  readonly lasts: (number | null)[] = [];
  readonly hashes: string[] = [];
  private readonly inner: Chooser;
  constructor(prefix: readonly number[], private readonly states: boolean) {
    this.inner = prefixChooser(prefix);
  }
  choose(ctx: ChoiceContext): number {
    this.lasts.push(ctx.last);
    if (this.states) this.hashes.push(stateHash(ctx.recorder));
    return this.inner.choose(ctx);
  }
}

function preempts(node: ChoiceNode, last: number | null, i: number): boolean {
  return last !== null && node.procs[i] !== last && node.procs.indexOf(last) >= node.timers;
}

export function bfs(sc: Scenario, o: ExploreOptions): SearchResult {
  const search = new Search(sc, o);
  const states = o.states === true;
  const seen = new Set<string>();
  const depthMax = o.depthMax ?? Number.POSITIVE_INFINITY;
  const pMax = o.preemptionsMax ?? Number.POSITIVE_INFINITY;
  const runPrefix = (prefix: readonly number[], level: number, preemptions: number): Entry => {
    const chooser = new BfsChooser(prefix, states);
    const ex = search.run(chooser, { keepObjects: states });
    const nodes = ex.recorder.nodes;
    return { level, decisions: ex.decisions, nodes, lasts: chooser.lasts, hashes: chooser.hashes, preemptions };
  };
  let queue: Entry[] = [runPrefix([], 0, 0)];
  while (queue.length > 0 && !search.stopped) {
    const next: Entry[] = [];
    for (const e of queue) {
      const node = e.nodes[e.level];
      if (node === undefined || e.level >= depthMax) continue;
      if (states) {
        const h = e.hashes[e.level]!;
        if (seen.has(h)) continue;
        seen.add(h);
        search.stats.states = seen.size;
      }
      const last = e.lasts[e.level] ?? null;
      const given = e.decisions[e.level]!;
      for (let c = 0; c < node.procs.length; c++) {
        const p = e.preemptions + (preempts(node, last, c) ? 1 : 0);
        if (p > pMax) continue;
        if (c === given) {
          next.push({ ...e, level: e.level + 1, preemptions: p });
          continue;
        }
        const stop = search.mayGoOn();
        if (stop !== null) return search.result(stop);
        next.push(runPrefix([...e.decisions.slice(0, e.level), c], e.level + 1, p));
        if (search.stopped) return search.result("failure");
      }
    }
    queue = next;
  }
  return search.result(search.stopped ? "failure" : "complete");
}
