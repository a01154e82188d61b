/**
 * MurmurHash2 (Austin Appleby's 32-bit hash, public domain) and the 64-bit tag bloom filter
 * systemd-udevd puts in the header of its libudev datagrams, so that subscribers can filter in
 * the kernel with a socket filter.
 *
 * @see string_hash32() and string_bloom64() in systemd's device-monitor.c
 */
const M = 0x5bd1e995;
const ENCODER = new TextEncoder();

/** MurmurHash2 of `data` with `seed`, as an unsigned 32-bit number (4-byte blocks little-endian). */
export function murmurHash2(data: Uint8Array, seed = 0): number {
  let len = data.length;
  let h = (seed ^ len) >>> 0;
  let i = 0;
  while (len >= 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
    i += 4;
    len -= 4;
  }
  if (len === 3) h ^= data[i + 2]! << 16;
  if (len >= 2) h ^= data[i + 1]! << 8;
  if (len >= 1) h = Math.imul(h ^ data[i]!, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h >>> 0;
}

/** The hash udev puts in a header for a subsystem or devtype name. */
export function stringHash32(s: string): number {
  return murmurHash2(ENCODER.encode(s), 0);
}

/** Four bits of a 64-bit bloom filter for one tag: bits hash&63, (hash>>6)&63, >>12, >>18. */
export function stringBloom64(s: string): bigint {
  const hash = stringHash32(s);
  let bits = 0n;
  for (const shift of [0, 6, 12, 18]) bits |= 1n << BigInt((hash >>> shift) & 63);
  return bits;
}
