/**
 * What a uevent must look like, for the final checks: some of its keys with their values,
 * keys it must lack, and keys that must come in a given order (udev rules and parsers read
 * the kernel's order: ACTION, DEVPATH, SUBSYSTEM, the caller's keys, the device's, SEQNUM).
 *
 *     - { ACTION: unbind, SUBSYSTEM: pci, lacks: [DRIVER, MODALIAS] }
 *     - { ACTION: change, HOTPLUG: 1, order: [HOTPLUG, CONNECTOR, MAJOR, MINOR, SEQNUM] }
 */
import { z } from "zod";
import { ueventGet, type Uevent } from "../uapi/mod.js";
import type { UeventExpectation } from "./scenario.js";
import { didYouMean } from "./suggest.js";

export const UEVENT_KEY = /^[A-Z_][A-Z0-9_]*$/;
const LACKS = "lacks";
const ORDER = "order";

const keyList = z.array(z.string().regex(UEVENT_KEY, "uevent keys are upper case, e.g. CONNECTOR"));

export const ueventExpectation = z
  .record(z.string(), z.unknown())
  .superRefine((m, ctx) => {
    for (const [k, v] of Object.entries(m)) {
      if (k === LACKS || k === ORDER) {
        const r = keyList
          .min(
            k === ORDER ? 2 : 1,
            k === ORDER ? "order lists at least two keys" : "list the keys the event must not have",
          )
          .safeParse(v);
        for (const i of r.error?.issues ?? [])
          ctx.addIssue({ code: "custom", path: [k, ...i.path], message: i.message });
        if (k === LACKS && Array.isArray(v))
          for (const key of v)
            if (Object.hasOwn(m, key))
              ctx.addIssue({
                code: "custom",
                path: [k],
                message: `${String(key)} is both required and lacking`,
              });
      } else if (!UEVENT_KEY.test(k)) {
        ctx.addIssue({
          code: "custom",
          path: [k],
          message:
            `unknown key "${k}"${didYouMean(k, [LACKS, ORDER])}; ` +
            `a uevent check has upper-case uevent keys, ${LACKS} and ${ORDER}`,
        });
      } else if (typeof v !== "string" && typeof v !== "number") {
        ctx.addIssue({
          code: "custom",
          path: [k],
          message: "expected the key's value as text or a number",
        });
      }
    }
  })
  .transform((m): UeventExpectation => {
    const keys = Object.fromEntries(
      Object.entries(m)
        .filter(([k]) => k !== LACKS && k !== ORDER)
        .map(([k, v]) => [k, String(v)]),
    );
    return {
      keys,
      lacks: (m[LACKS] as string[] | undefined) ?? [],
      order: (m[ORDER] as string[] | undefined) ?? [],
    };
  });

/** The keys of `ev` among `order`, in the event's order. */
function orderSeen(ev: Uevent, order: readonly string[]): string[] {
  return ev.env.map(([k]) => k).filter((k, i, all) => order.includes(k) && all.indexOf(k) === i);
}

/** What in `ev` differs from `want`; empty when it matches. */
export function ueventDifferences(ev: Uevent, want: UeventExpectation): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(want.keys)) {
    const got = ueventGet(ev, k);
    if (got !== v) out.push(got === undefined ? `no ${k}` : `${k}=${got} (not ${v})`);
  }
  for (const k of want.lacks) {
    const got = ueventGet(ev, k);
    if (got !== undefined) out.push(`has ${k}=${got}`);
  }
  if (want.order.length > 0) {
    const seen = orderSeen(ev, want.order);
    if (seen.join(",") !== want.order.join(",")) {
      const missing = want.order.filter((k) => !seen.includes(k));
      out.push(
        missing.length > 0
          ? `no ${missing.join(", ")} (for the order)`
          : `keys in the order ${seen.join(",")}`,
      );
    }
  }
  return out;
}

/** On one line: `ACTION=change HOTPLUG=1 lacks CONNECTOR order HOTPLUG,CONNECTOR`. */
export function formatUeventExpectation(want: UeventExpectation): string {
  return [
    ...Object.entries(want.keys).map(([k, v]) => `${k}=${v}`),
    ...(want.lacks.length > 0 ? [`lacks ${want.lacks.join(",")}`] : []),
    ...(want.order.length > 0 ? [`order ${want.order.join(",")}`] : []),
  ].join(" ");
}
