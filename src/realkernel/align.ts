/**
 * Aligns two sequences in order, the way a line diff does, so that one missing or one extra
 * item is one unpaired item and not a shift of everything after it. The items are compared by
 * an identity (which item this is, without its values): a Myers diff (the `diff` package's
 * diffArrays) finds the longest run of common identities; between two common items, the
 * leftover items of each side are paired in order (the same place in both, with different
 * identities), and what is left of the longer side stays unpaired.
 */
import { diffArrays } from "diff";

/** One row of an alignment: an index into each side, or null when that side has no item. */
export interface AlignedPair {
  readonly a: number | null;
  readonly b: number | null;
}

/** Aligns `a` and `b`, given as identities; returns every index of both, in order. */
export function alignByIdentity(a: readonly string[], b: readonly string[]): AlignedPair[] {
  const out: AlignedPair[] = [];
  let ai = 0;
  let bi = 0;
  let gapA: number[] = [];
  let gapB: number[] = [];
  const closeGap = (): void => {
    for (let k = 0; k < Math.max(gapA.length, gapB.length); k++) {
      out.push({ a: gapA[k] ?? null, b: gapB[k] ?? null });
    }
    gapA = [];
    gapB = [];
  };
  for (const change of diffArrays([...a], [...b])) {
    if (change.removed) {
      for (let k = 0; k < change.count; k++) gapA.push(ai++);
    } else if (change.added) {
      for (let k = 0; k < change.count; k++) gapB.push(bi++);
    } else {
      closeGap();
      for (let k = 0; k < change.count; k++) out.push({ a: ai++, b: bi++ });
    }
  }
  closeGap();
  return out;
}
