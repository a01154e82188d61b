/**
 * What the record of an ioctl(2) call keeps, made cheap for the model's hottest path: the
 * strace-like argument text "fd, NAME", made once per (fd, request), and the output, shared
 * with the request's previous output when the two are equal.
 *
 * A trace keeps every call's record, so a program that makes the same call many times (a
 * benchmark, a poll loop) would keep as many equal output objects; keeping one instead costs
 * a comparison of a few fields per call and saves the garbage collector most of its work.
 * Outputs are never changed once returned, so sharing them is safe.
 */
import type { AnyIoctlDef, Fd, IoctlFields, IoctlRequest } from "../uapi/mod.js";

/** Argument texts are kept for fds below this. */
const IOCTL_ARGS_FD_MAX = 1024;

/**
 * Whether two outputs of `def` hold the same values (arrays element by element; structs only
 * if the same object).
 */
function sameOutput(def: AnyIoctlDef, a: IoctlFields, b: IoctlFields): boolean {
  const names: readonly string[] = def.outFields;
  for (let i = 0; i < names.length; i++) {
    const x = a[names[i]!];
    const y = b[names[i]!];
    if (x === y) continue;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

/** What the memo keeps for one request: argument texts by fd, and the last output. */
interface RequestMemo {
  readonly argsByFd: string[];
  lastOutput: IoctlFields | null;
}

export class IoctlCallMemo {
  private readonly byDef = new Map<AnyIoctlDef, RequestMemo>();
  private last: { def: AnyIoctlDef; memo: RequestMemo } | null = null;

  private memoOf(def: AnyIoctlDef): RequestMemo {
    // The same request again (a loop) skips the map.
    const last = this.last;
    if (last !== null && last.def === def) return last.memo;
    let memo = this.byDef.get(def);
    if (memo === undefined) {
      memo = { argsByFd: [], lastOutput: null };
      this.byDef.set(def, memo);
    }
    this.last = { def, memo };
    return memo;
  }

  /** "fd, NAME" (or "fd, 0x..." for a bare number), made once per (fd, request). */
  args(fd: Fd, request: IoctlRequest): string {
    if (typeof request === "number") return `${fd}, 0x${request.toString(16)}`;
    if (!Number.isInteger(fd) || fd < 0 || fd >= IOCTL_ARGS_FD_MAX) return `${fd}, ${request.name}`;
    const byFd = this.memoOf(request).argsByFd;
    return (byFd[fd] ??= `${fd}, ${request.name}`);
  }

  /**
   * `out`, or the equal output `request` gave last time (which the caller then gets too).
   * Outputs are compared over the request's output fields, which every output of it has.
   */
  output(request: AnyIoctlDef, out: IoctlFields): IoctlFields {
    const memo = this.memoOf(request);
    const last = memo.lastOutput;
    if (last === out) return out;
    if (last !== null && sameOutput(request, last, out)) return last;
    memo.lastOutput = out;
    return out;
  }
}
