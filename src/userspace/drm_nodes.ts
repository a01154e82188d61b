/**
 * Finding the device nodes of a PCI device the way libdrm and IGT do: by listing its
 * /sys/bus/pci/devices/<bdf>/drm (or accel) directory, then opening /dev/dri/<name>.
 */
import type { Call, Syscalls } from "../uapi/mod.js";

export type DrmNodeKind = "card" | "render" | "accel";

const PATTERN: Readonly<Record<DrmNodeKind, RegExp>> = { card: /^card\d+$/, render: /^renderD\d+$/, accel: /^accel\d+$/ };

/** The device-node names (card0, renderD128, ...) of each kind a PCI device has now; null for a kind it has none of. */
export function* pciDrmNodes(sys: Syscalls, bdf: string, dir: "drm" | "accel" = "drm"): Call<Record<DrmNodeKind, string | null>> {
  const r = yield* sys.readdir(`/sys/bus/pci/devices/${bdf}/${dir}`);
  const names = r.ok ? r.value.map((e) => e.name) : [];
  const find = (kind: DrmNodeKind): string | null => names.find((n) => PATTERN[kind].test(n)) ?? null;
  return { card: find("card"), render: find("render"), accel: find("accel") };
}

/** The /dev path of a node name: accel nodes live in /dev, DRM nodes in /dev/dri. */
export function nodePath(name: string): string {
  return PATTERN.accel.test(name) ? `/dev/${name}` : `/dev/dri/${name}`;
}
