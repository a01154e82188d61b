/**
 * Parsers for the options the commands share, with messages that name the bad value and what
 * would be accepted.
 */
import { InvalidArgumentError } from "commander";
import { isKernelVersion, KERNEL_VERSIONS, type KernelVersion } from "../base/mod.js";
import { didYouMean } from "../scenario/suggest.js";

export function parseSeed(v: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`seed must be a non-negative integer, got "${v}"`);
  return Number(v);
}

export function choice<T extends string>(what: string, allowed: readonly T[]) {
  return (v: string): T => {
    if ((allowed as readonly string[]).includes(v)) return v as T;
    throw new InvalidArgumentError(`unknown ${what} "${v}"${didYouMean(v, allowed)}; expected one of ${allowed.join(", ")}`);
  };
}

export function parseKernel(v: string): KernelVersion {
  if (isKernelVersion(v)) return v;
  throw new InvalidArgumentError(`unknown kernel version "${v}"; expected one of ${KERNEL_VERSIONS.join(", ")}`);
}
