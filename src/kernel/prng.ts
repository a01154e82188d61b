/**
 * The one seeded pseudo-random generator of a simulation (xoshiro128**, 32-bit state words).
 *
 * Every random decision of a run comes from here, so a run is reproduced by its seed.
 */
import { assert } from "./assert.js";

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    assert(Number.isSafeInteger(seed) && seed >= 0, `Cannot seed PRNG: ${seed} is not a non-negative integer`);
    // splitmix32 expands the seed into four non-zero state words.
    let x = (seed ^ Math.floor(seed / 2 ** 32)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** An integer in [min, max], both inclusive. */
  intInclusive(min: number, max: number): number {
    assert(Number.isInteger(min) && Number.isInteger(max), "Cannot draw integer: bounds are not integers");
    assert(min <= max, `Cannot draw integer: min ${min} > max ${max}`);
    const span = max - min + 1;
    assert(span <= 2 ** 32, "Cannot draw integer: range wider than 2^32");
    return min + (this.nextU32() % span);
  }

  /** An index into a collection of `length` items. */
  index(length: number): number {
    assert(length > 0, "Cannot pick from an empty collection");
    return this.intInclusive(0, length - 1);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
