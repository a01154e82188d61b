/**
 * The bounds of a scenario file, in one place (docs/scenarios.md lists them). Each guards a
 * resource a file could otherwise exhaust: memory and time while loading (aliases, nesting,
 * steps, errors) or while running (bytes copied by one memory step).
 */

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

/** Bytes of a scenario file: reading stops there (a file that never ends, like /dev/zero). */
export const FILE_BYTES_MAX = 4 * MIB;

/**
 * Values that YAML aliases may copy in all (each use of `*name` copies every value under its
 * anchor): a snippet of 100 values may be used 1 000 times.
 */
export const ALIAS_VALUES_MAX = 100_000;

/** How deep values may nest (a mapping in a list in a mapping ...). */
export const NESTING_MAX = 64;

/** Steps of one scenario, all programs together, after aliases and `repeat` are expanded. */
export const STEPS_MAX = 10_000;

/** Errors listed for one file; the rest are counted. */
export const ERRORS_SHOWN_MAX = 100;

/** Bytes one `mem-read` or `mem-write` may copy: a 4096x4096 buffer of 32 bits a pixel. */
export const MEM_ACCESS_BYTES_MAX = 64 * MIB;

/** `length` of `mmap`/`munmap` and `offset` of memory steps: the x86-64 user address space. */
export const MAP_BYTES_MAX = 2 ** 47;

/** `count` of a `read`: MAX_RW_COUNT, the most one read(2) moves on Linux (INT_MAX & PAGE_MASK). */
export const READ_BYTES_MAX = 0x7fff_f000;

/** VRAM of one card. */
export const VRAM_BYTES_MAX = 1024 * GIB;

/** Characters of a user's value quoted in a message; longer values are cut. */
export const QUOTED_CHARS_MAX = 80;

/** "64 MiB", "128 TiB": a byte count for messages. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ["TiB", 1024 * GIB],
    ["GiB", GIB],
    ["MiB", MIB],
    ["KiB", KIB],
  ] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}
