/**
 * "Did you mean ...?" for names a user typed: the known name at the smallest edit distance,
 * if it is close enough to be a likely typo.
 */
import { distance } from "fastest-levenshtein";

export function closest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  // A third of the name may be wrong (at least 2 edits for short names).
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** ` (did you mean "X"?)`, or nothing. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const c = closest(name, known);
  return c === undefined ? "" : ` (did you mean "${c}"?)`;
}
