/**
 * Parsers for the options the commands share, with messages that name the bad value and what
 * would be accepted.
 */
import { InvalidArgumentError } from "commander";
import { isKernelVersion, KERNEL_VERSIONS, type KernelVersion } from "../base/mod.js";
import { didYouMean } from "../scenario/suggest.js";

export function parseSeed(v: string): number {
  if (/^\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  throw new InvalidArgumentError(`seed must be a non-negative integer, got "${v}"`);
}

export function choice<T extends string>(what: string, allowed: readonly T[]) {
  return (v: string): T => {
    if ((allowed as readonly string[]).includes(v)) return v as T;
    const expected = `expected one of ${allowed.join(", ")}`;
    throw new InvalidArgumentError(`unknown ${what} "${v}"${didYouMean(v, allowed)}; ${expected}`);
  };
}

export function parseKernel(v: string): KernelVersion {
  if (isKernelVersion(v)) return v;
  const expected = `expected one of ${KERNEL_VERSIONS.join(", ")}`;
  throw new InvalidArgumentError(`unknown kernel version "${v}"; ${expected}`);
}

/** A positive integer option such as --max-steps. */
export function parseCount(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (/^\d+$/.test(v) && Number.isSafeInteger(n) && n > 0) return n;
    throw new InvalidArgumentError(`${flag} must be a positive integer, got "${v}"`);
  };
}
