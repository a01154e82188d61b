/**
 * udev's string substitutions (`$kernel` / `%k`, `$env{KEY}` / `%E{KEY}`, ...), checked when a
 * rule is read (an unknown `$name` or `%c`, or a `{` without `}`, is an error naming its
 * column) and applied to an event. A `$name` that is not known is left as written when applied,
 * as udev does; `$$` and `%%` are the characters themselves.
 *
 * @see udev-format.c in systemd (get_subst_type(), udev_event_subst_format(),
 * udev_check_format()); "String substitutions" in udev(7)
 */
import type { Call } from "../uapi/mod.js";

type SubstType =
  | "devnode" | "attr" | "env" | "kernel" | "number" | "driver" | "devpath" | "id"
  | "major" | "minor" | "result" | "parent" | "name" | "links" | "root" | "sys";

/** udev's table, in its order ($devnode before $devpath matters for prefix matching). */
const MAP: readonly (readonly [string, string, SubstType])[] = [
  ["devnode", "N", "devnode"], ["tempnode", "N", "devnode"], ["attr", "s", "attr"], ["sysfs", "s", "attr"],
  ["env", "E", "env"], ["kernel", "k", "kernel"], ["number", "n", "number"], ["driver", "d", "driver"],
  ["devpath", "p", "devpath"], ["id", "b", "id"], ["major", "M", "major"], ["minor", "m", "minor"],
  ["result", "c", "result"], ["parent", "P", "parent"], ["name", "D", "name"], ["links", "L", "links"],
  ["root", "r", "root"], ["sys", "S", "sys"],
];

type Piece =
  | { readonly k: "text"; readonly s: string }
  | { readonly k: "subst"; readonly type: SubstType; readonly arg: string; readonly at: number };

type Scan = { piece: Piece; end: number } | { error: string; at: number } | null;

/** The substitution starting at `i` (a `$` or `%`), or null when it is plain text. */
function scanSubst(s: string, i: number, strict: boolean): Scan {
  const sigil = s[i];
  if (s[i + 1] === sigil) return { piece: { k: "text", s: sigil! }, end: i + 2 };
  const entry = sigil === "$" ? MAP.find(([name]) => s.startsWith(name, i + 1)) : MAP.find(([, c]) => s[i + 1] === c);
  if (entry === undefined) return strict ? { error: `unknown substitution ${JSON.stringify(s.slice(i, i + 2))}`, at: i } : null;
  let end = i + 1 + (sigil === "$" ? entry[0].length : 1);
  let arg = "";
  if (s[end] === "{") {
    const close = s.indexOf("}", end);
    if (close < 0) return { error: `${sigil}${sigil === "$" ? entry[0] : entry[1]}{ has no closing }`, at: end };
    arg = s.slice(end + 1, close);
    if (arg === "") return { error: "an empty {} after a substitution", at: end };
    end = close + 1;
  }
  if ((entry[2] === "env" || entry[2] === "attr") && arg === "") {
    return { error: `${s.slice(i, end)} needs {NAME}`, at: i };
  }
  return { piece: { k: "subst", type: entry[2], arg, at: i }, end };
}

function pieces(s: string, strict: boolean): Piece[] | { error: string; at: number } {
  const out: Piece[] = [];
  let text = "";
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    const scan = c === "$" || c === "%" ? scanSubst(s, i, strict) : null;
    if (scan === null) {
      text += c;
      i++;
    } else if ("error" in scan) return scan;
    else if (scan.piece.k === "text") {
      text += scan.piece.s;
      i = scan.end;
    } else {
      if (text !== "") out.push({ k: "text", s: text });
      text = "";
      out.push(scan.piece);
      i = scan.end;
    }
  }
  if (text !== "") out.push({ k: "text", s: text });
  return out;
}

/** The first problem of a value's substitutions (0-based offset), or null. */
export function checkFormat(value: string): { readonly error: string; readonly at: number } | null {
  const p = pieces(value, true);
  return Array.isArray(p) ? null : p;
}

/** What a substitution reads: the event, and the device tree for attributes and parents. */
export interface FormatContext {
  readonly devpath: string;
  /** The event's properties (DEVNAME absolute, as sd-device has it). */
  readonly props: ReadonlyMap<string, string>;
  /** The parent the last parent-walking keys selected ($id, $driver, $attr fallback). */
  readonly selectedParent: string | null;
  attr(devpath: string, name: string): Call<string | null>;
  driver(devpath: string): Call<string | null>;
  parent(devpath: string): Call<string | null>;
  devname(devpath: string): Call<string | null>;
}

export function sysnameOf(devpath: string): string {
  return devpath.slice(devpath.lastIndexOf("/") + 1).replaceAll("!", "/");
}

/** The trailing digits of a sysname ("card10" -> "10"), as sd_device_get_sysnum(). */
export function sysnumOf(sysname: string): string {
  return /\d*$/.exec(sysname)![0];
}

/** udev_replace_chars() for attribute values: unsafe characters become `_`. */
function replaceUnsafe(s: string): string {
  return s.replace(/[^A-Za-z0-9#+\-.:=@_/ $%?,\u0080-\u{10ffff}]/gu, "_");
}

function* substValue(p: Extract<Piece, { k: "subst" }>, ctx: FormatContext): Call<string> {
  const sysname = sysnameOf(ctx.devpath);
  const parent = ctx.selectedParent;
  switch (p.type) {
    case "devpath": return ctx.devpath;
    case "kernel": return sysname;
    case "number": return sysnumOf(sysname);
    case "id": return parent === null ? "" : sysnameOf(parent);
    case "driver": return parent === null ? "" : (yield* ctx.driver(parent)) ?? "";
    case "major": return ctx.props.get("MAJOR") ?? "0";
    case "minor": return ctx.props.get("MINOR") ?? "0";
    case "result": return "";
    case "env": return ctx.props.get(p.arg) ?? "";
    case "devnode": return ctx.props.get("DEVNAME") ?? "";
    case "name": return (ctx.props.get("DEVNAME")?.replace(/^\/dev\//, "")) ?? sysname;
    case "links": return (ctx.props.get("DEVLINKS") ?? "").split(" ").filter(Boolean).map((l) => l.replace(/^\/dev\//, "")).join(" ");
    case "root": return "/dev";
    case "sys": return "/sys";
    case "parent": {
      const up = yield* ctx.parent(ctx.devpath);
      const name = up === null ? null : yield* ctx.devname(up);
      return name === null ? "" : name.replace(/^\/dev\//, "");
    }
    case "attr": {
      let v = yield* ctx.attr(ctx.devpath, p.arg);
      if (v === null && parent !== null && parent !== ctx.devpath) v = yield* ctx.attr(parent, p.arg);
      return v === null ? "" : replaceUnsafe(v.replace(/\s+$/, ""));
    }
  }
}

/** `template` with its substitutions applied (unknown `$name` left as written). */
export function* applyFormat(template: string, ctx: FormatContext): Call<string> {
  const ps = pieces(template, false);
  if (!Array.isArray(ps)) return template;
  let out = "";
  for (const p of ps) out += p.k === "text" ? p.s : yield* substValue(p, ctx);
  return out;
}
