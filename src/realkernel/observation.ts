/**
 * Observations of a run, in the shape the real-kernel recording uses, so that a model run and
 * a real one can be compared one by one. Each observation belongs to a scenario step (`scn`).
 *
 * Kept: the `drm` and `pci` uevents (fbdev, module, class and driver-registration ones are
 * outside the model), system calls with their result, reads through mappings (how many words
 * matched, were zero, were all ones), the card minors in sysfs, /dev/dri listings, and the
 * "[drm] Initialized" kernel message.
 */
export type Observation =
  | { readonly kind: "uevent"; readonly scn: string; readonly raw: string }
  | { readonly kind: "call"; readonly scn: string; readonly op: string; readonly what: string; readonly ok: boolean; readonly ret: number | null; readonly errno: string | null; readonly fields: Readonly<Record<string, string | number>> }
  | { readonly kind: "mem"; readonly scn: string; readonly what: string; readonly op: "read" | "write"; readonly result: string; readonly first: string | null; readonly matchPattern: number | null; readonly zero: number | null; readonly ff: number | null }
  | { readonly kind: "minors"; readonly scn: string; readonly why: string; readonly cards: readonly string[] }
  | { readonly kind: "ls"; readonly scn: string; readonly path: string; readonly entries: readonly string[] | null }
  | { readonly kind: "kmsg"; readonly scn: string; readonly msg: string };

/** The part of an observation that must match, as text. */
export function observationKey(o: Observation): string {
  switch (o.kind) {
    case "uevent":
      return `uevent ${o.raw}`;
    case "call": {
      const fields = Object.entries(o.fields).map(([k, v]) => `${k}=${v}`).join(",");
      const ret = o.ret === null ? (o.ok ? "ok" : "-1") : String(o.ret);
      return `call ${o.op} ${o.what} -> ${ret}${o.errno ? ` ${o.errno}` : ""}${fields ? ` {${fields}}` : ""}`;
    }
    case "mem":
      return `mem ${o.op} ${o.what} -> ${o.result}${o.op === "read" ? ` first=${o.first} match=${o.matchPattern} zero=${o.zero} ff=${o.ff}` : ""}`;
    case "minors":
      return `minors (${o.why}): ${o.cards.join(" ") || "(none)"}`;
    case "ls":
      return `ls ${o.path}: ${o.entries === null ? "ENOENT" : o.entries.join(" ")}`;
    case "kmsg":
      return `kmsg ${o.msg}`;
  }
}

/**
 * Which observation this is, without its values: what the comparison aligns the recording and
 * the model on, so that a changed value pairs the two as a mismatch instead of shifting the
 * rest. A uevent is its ACTION@DEVPATH header, a call its op and what, a read or write through
 * a mapping its op and mapping, a listing its path, a minors snapshot its reason, and a kernel
 * message its text with the numbers left out.
 */
export function observationIdentity(o: Observation): string {
  switch (o.kind) {
    case "uevent":
      return `uevent ${o.raw.split("|")[0]}`;
    case "call":
    case "mem":
      return `${o.kind} ${o.op} ${o.what}`;
    case "minors":
      return `minors ${o.why}`;
    case "ls":
      return `ls ${o.path}`;
    case "kmsg":
      return `kmsg ${o.msg.replace(/\d+/g, "#")}`;
  }
}

/**
 * The /proc/<pid>/fdinfo fields compared: the position, the flags, and a dma-buf's size,
 * reference count, exporter and name. mnt_id and ino are left out: they number the machine's
 * mounts and inodes, which the model does not have.
 */
export const FDINFO_FIELDS: readonly string[] = [
  "pos", "flags", "size", "count", "exp_name", "name",
];

/** Uevent text without SEQNUM (the model numbers only the events it models). */
export function ueventRawWithoutSeqnum(raw: string): string {
  return raw.split("|").filter((p) => !p.startsWith("SEQNUM=")).join("|");
}

export const MODELLED_UEVENT_SUBSYSTEMS: readonly string[] = ["drm", "pci"];

export function isModelledUevent(raw: string): boolean {
  return raw.split("|").some((p) => MODELLED_UEVENT_SUBSYSTEMS.some((s) => p === `SUBSYSTEM=${s}`));
}

/** Whether a kernel message (without its <level> prefix) is one the comparison keeps. */
export function isModelledKmsg(msg: string): boolean {
  return msg.startsWith("[drm] Initialized");
}
