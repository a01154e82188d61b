/**
 * The part every uevent format shares: a list of `KEY=VALUE` fields, each with the position it
 * started at, turned into the model's `Uevent`. The kernel datagram and the fixture line add
 * an `ACTION@DEVPATH` header first; the libudev datagram has none, so its ACTION and DEVPATH
 * come from the keys.
 *
 * @see device_new_from_nulstr() and device_verify() in systemd's sd-device (what a receiver
 * requires)
 */
import { UEVENT_ACTIONS, type Uevent, type UeventAction } from "../uapi/mod.js";
import { excerpt, UeventFormatError, type UeventWhere } from "./format_error.js";

/** One field of a uevent and where it starts (a byte offset, or a line's column). */
export interface Field {
  readonly text: string;
  readonly where: UeventWhere;
}

const KNOWN_ACTIONS: ReadonlySet<string> = new Set(UEVENT_ACTIONS);

export function isUeventAction(s: string): s is UeventAction {
  return KNOWN_ACTIONS.has(s);
}

/** Splits `KEY=VALUE` fields; the value may hold `=`, the key must not be empty. */
export function parseEnvFields(fields: readonly Field[], source: string): [string, string][] {
  const env: [string, string][] = [];
  for (const f of fields) {
    const eq = f.text.indexOf("=");
    if (eq <= 0) {
      const why = eq === 0 ? "has an empty key" : "is not KEY=VALUE";
      throw new UeventFormatError(`field ${excerpt(f.text)} ${why}`, f.where, source);
    }
    env.push([f.text.slice(0, eq), f.text.slice(eq + 1)]);
  }
  return env;
}

/** The `ACTION@DEVPATH` header of a kernel datagram: at least `a@/d`, a known action. */
export function parseHeader(header: Field, source: string): { action: UeventAction; devpath: string } {
  const at = header.text.indexOf("@/");
  if (at <= 0 || header.text.length < 4) {
    const what = `header ${excerpt(header.text)} is not ACTION@DEVPATH`;
    throw new UeventFormatError(what, header.where, source);
  }
  const action = header.text.slice(0, at);
  if (!isUeventAction(action)) {
    throw new UeventFormatError(`unknown action ${excerpt(action)}`, header.where, source);
  }
  return { action, devpath: header.text.slice(at + 1) };
}

/** The last value of `key` in `env` (a duplicated key: the last one wins, as in sd-device). */
export function lastValue(env: readonly (readonly [string, string])[], key: string): string | undefined {
  let value: string | undefined;
  for (const [k, v] of env) if (k === key) value = v;
  return value;
}

/**
 * A uevent without a header: ACTION and DEVPATH must be keys (libudev datagrams, udevadm text
 * without a header line). `where` names the record for the message.
 */
export function ueventFromKeys(env: [string, string][], where: UeventWhere, source: string): Uevent {
  const action = lastValue(env, "ACTION");
  const devpath = lastValue(env, "DEVPATH");
  if (action === undefined || devpath === undefined) {
    const missing = action === undefined ? "ACTION" : "DEVPATH";
    throw new UeventFormatError(`the properties have no ${missing}`, where, source);
  }
  if (!isUeventAction(action)) throw new UeventFormatError(`unknown action ${excerpt(action)}`, where, source);
  if (!devpath.startsWith("/")) {
    throw new UeventFormatError(`DEVPATH ${excerpt(devpath)} does not start with /`, where, source);
  }
  return { action, devpath, env };
}
