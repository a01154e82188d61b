/**
 * sysfs as a tree of directories, attribute files and symlinks. Attribute writes are tasks:
 * a write to `unbind` returns only when the driver's remove() has returned, as in Linux.
 *
 * Paths are absolute ("/sys/bus/pci/rescan"). Symlinks are followed component by component.
 * A link keeps its target as an absolute path; readlink() prints it relative to the link's
 * directory, as kernfs does ("../../../bus/pci/drivers/vdisp").
 *
 * @see kernfs_get_target_path() in fs/kernfs/symlink.c; sysfs_kf_write() in fs/sysfs/file.c
 */
import { assert, KObject, type KStruct, type Sim, type Task } from "../kernel/mod.js";
import { fail, ok, type DirEntry, type SysResult } from "../uapi/mod.js";

export type SysfsNode =
  | { readonly kind: "dir" }
  | {
      readonly kind: "attr";
      /** The kernel object show() reads (a read of the file is a read of it). */
      readonly owner?: KStruct;
      readonly show?: () => string;
      readonly store?: (data: string) => Task<SysResult<number>>;
    }
  | { readonly kind: "link"; readonly target: string };

const LINKS_MAX = 40; // like the kernel's MAXSYMLINKS

export class Sysfs extends KObject {
  private readonly nodes = new Map<string, SysfsNode>([["/sys", { kind: "dir" }]]);

  constructor(sim: Sim) {
    // The kernfs tree of /sys lives as long as the kernel.
    super(sim, sim.alloc("kernfs_root", { kind: "static", label: "sysfs", persistent: true }));
  }

  /** Adds a node, creating missing parent directories. */
  add(path: string, node: SysfsNode): void {
    assert(path.startsWith("/sys/"), `Cannot add sysfs node ${path}: not under /sys`);
    const existing = this.nodes.get(path);
    // A directory may be "added" again (mkdirs made it first); anything else must be new.
    assert(existing === undefined || (existing.kind === "dir" && node.kind === "dir"), `Cannot add sysfs node ${path}: exists`);
    this.mkdirs(parentOf(path));
    this.nodes.set(path, node);
  }

  mkdirs(path: string): void {
    const parts = path.split("/").filter(Boolean);
    let cur = "";
    for (const p of parts) {
      cur += `/${p}`;
      const n = this.nodes.get(cur);
      if (n === undefined) this.nodes.set(cur, { kind: "dir" });
    }
  }

  /** Removes a node and everything below it. */
  remove(path: string): void {
    this.nodes.delete(path);
    const prefix = `${path}/`;
    for (const p of [...this.nodes.keys()]) if (p.startsWith(prefix)) this.nodes.delete(p);
  }

  /**
   * Follows symlinks; returns the canonical path, or null if any component is missing or the
   * path takes more than LINKS_MAX links (a loop; Linux fails with ELOOP there).
   */
  resolve(path: string): string | null {
    return this.resolveFrom(path, 0);
  }

  /** resolve() with the links followed so far counted across the whole walk. */
  private resolveFrom(path: string, hopsBefore: number): string | null {
    let hops = hopsBefore;
    const parts = normalize(path).split("/").filter(Boolean);
    let cur = "";
    for (let i = 0; i < parts.length; i++) {
      const next = `${cur}/${parts[i]}`;
      const node = this.nodes.get(next);
      if (node === undefined) return null;
      if (node.kind === "link") {
        if (++hops > LINKS_MAX) return null;
        const rest = parts.slice(i + 1).join("/");
        return this.resolveFrom(rest ? `${node.target}/${rest}` : node.target, hops);
      }
      cur = next;
    }
    return cur === "" ? "/" : cur;
  }

  /** What reading `path` reads: the tree, and the object behind an attribute. */
  footprintOf(path: string): KStruct[] {
    const node = this.lookup(path);
    return node?.kind === "attr" && node.owner !== undefined ? [this, node.owner] : [this];
  }

  lookup(path: string): SysfsNode | undefined {
    const real = this.resolve(path);
    return real === null ? undefined : this.nodes.get(real);
  }

  exists(path: string): boolean {
    return this.resolve(path) !== null;
  }

  read(path: string): SysResult<string> {
    const node = this.lookup(path);
    if (node === undefined) return fail("ENOENT");
    if (node.kind === "dir") return fail("EISDIR");
    if (node.kind !== "attr" || node.show === undefined) return fail("EACCES");
    return ok(node.show());
  }

  /** Writes an attribute; writing nothing returns 0 without calling its store (sysfs_kf_write). */
  *write(path: string, data: string): Task<SysResult<number>> {
    const node = this.lookup(path);
    if (node === undefined) return fail("ENOENT");
    if (node.kind === "dir") return fail("EISDIR");
    if (node.kind !== "attr" || node.store === undefined) return fail("EACCES");
    if (data.length === 0) return ok(0);
    return yield* node.store(data);
  }

  /** The target of a symlink, relative to the link's (canonical) directory, as Linux prints it. */
  readlink(path: string): SysResult<string> {
    if (normalize(path) === "/sys") return fail("EINVAL"); // the mount point: a directory
    const parent = this.resolve(parentOf(normalize(path)));
    if (parent === null) return fail("ENOENT");
    const node = this.nodes.get(`${parent}/${baseName(path)}`);
    if (node === undefined) return fail("ENOENT");
    if (node.kind !== "link") return fail("EINVAL");
    return ok(relativeTarget(parent, node.target));
  }

  readdir(path: string): SysResult<DirEntry[]> {
    const real = this.resolve(path);
    if (real === null) return fail("ENOENT");
    if (this.nodes.get(real)?.kind !== "dir") return fail("ENOTDIR");
    const prefix = real === "/" ? "/" : `${real}/`;
    const out: DirEntry[] = [];
    for (const [p, n] of this.nodes) {
      if (!p.startsWith(prefix) || p.slice(prefix.length).includes("/")) continue;
      out.push({ name: p.slice(prefix.length), kind: n.kind === "attr" ? "file" : n.kind });
    }
    return ok(out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  }
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * `target` as seen from directory `from`: up ("../") to the nearest directory that holds the
 * target's parent, then down to the target. @see kernfs_get_target_path()
 */
function relativeTarget(from: string, target: string): string {
  const up = from.split("/").filter(Boolean);
  const down = normalize(target).split("/").filter(Boolean);
  let common = 0;
  while (common < up.length && common < down.length - 1 && up[common] === down[common]) common++;
  return [...up.slice(common).map(() => ".."), ...down.slice(common)].join("/");
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") out.pop();
    else out.push(p);
  }
  return `/${out.join("/")}`;
}
