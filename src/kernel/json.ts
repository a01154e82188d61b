/**
 * JSON text for data that holds bigints (64-bit values of the uapi, kept exact): a bigint is
 * written as the number it is, digit for digit, where JSON.stringify() would throw. Anything
 * else is written as JSON.stringify() writes it (undefined members left out, toJSON() used).
 */

/**
 * The JSON text of `value`, on one line.
 * @throws TypeError for a cycle, as JSON.stringify() does.
 */
export function jsonText(value: unknown): string {
  return write(value, new Set()) ?? "null";
}

function write(v: unknown, seen: Set<object>): string | undefined {
  switch (typeof v) {
    case "bigint":
      return v.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    case "object":
      return v === null ? "null" : writeObject(v, seen);
    default:
      return JSON.stringify(v);
  }
}

function writeObject(v: object, seen: Set<object>): string | undefined {
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return write(toJSON.call(v), seen);
  if (seen.has(v)) throw new TypeError("Cannot write JSON: the value holds a cycle");
  seen.add(v);
  try {
    if (Array.isArray(v)) return `[${v.map((x) => write(x, seen) ?? "null").join(",")}]`;
    const members: string[] = [];
    for (const [k, x] of Object.entries(v)) {
      const text = write(x, seen);
      if (text !== undefined) members.push(`${JSON.stringify(k)}:${text}`);
    }
    return `{${members.join(",")}}`;
  } finally {
    seen.delete(v);
  }
}
