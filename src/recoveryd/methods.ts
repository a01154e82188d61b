/**
 * The `WEDGED=` value of a uevent as a list of methods: comma-separated, in the order the
 * kernel wrote them (fewer side effects first, R67, R76). `unknown` (R68, R69), an empty value
 * and a name this daemon does not know all mean "consumer policy"; a name is kept as written
 * in the journal either way.
 *
 * @see drm_dev_wedged_event() in drivers/gpu/drm/drm_drv.c; "Device Wedging" in drm-uapi.rst
 */
import { METHODS, type Method } from "./config.js";

export interface WedgedMethods {
  /** The known methods offered, in the event's order. */
  readonly methods: readonly Method[];
  /** True when the value is `unknown`, empty, or names a method this daemon does not know. */
  readonly unknown: boolean;
  readonly raw: string;
}

const KNOWN: ReadonlySet<string> = new Set(METHODS);

export function parseWedged(raw: string): WedgedMethods {
  const names = raw.split(",").map((n) => n.trim()).filter((n) => n !== "");
  const methods: Method[] = [];
  let unknown = names.length === 0;
  for (const n of names) {
    if (KNOWN.has(n)) {
      if (!methods.includes(n as Method)) methods.push(n as Method);
    } else unknown = true;
  }
  return { methods, unknown, raw };
}
