/**
 * Fault injection points, like the kernel's failslab: a named point fails on its Nth hit
 * (1-based) for a number of times. Allocation helpers ask before they allocate.
 *
 * @see Documentation/fault-injection/fault-injection.rst
 */
export interface FaultRule {
  /** Fail the nth hit of the point (1-based). */
  readonly nth: number;
  /** How many consecutive hits fail from there. @default 1 */
  readonly times?: number;
}

export class FaultInjector {
  private readonly rules = new Map<string, FaultRule>();
  private readonly hits = new Map<string, number>();
  readonly injected: { point: string; hit: number }[] = [];

  /** Arms a point, e.g. `set("drmm_add_action", { nth: 3 })`. */
  set(point: string, rule: FaultRule): void {
    this.rules.set(point, rule);
    this.hits.set(point, 0);
  }

  /** Counts a hit of `point` and says whether it must fail. */
  shouldFail(point: string): boolean {
    const hit = (this.hits.get(point) ?? 0) + 1;
    this.hits.set(point, hit);
    const rule = this.rules.get(point);
    if (rule === undefined) return false;
    const fails = hit >= rule.nth && hit < rule.nth + (rule.times ?? 1);
    if (fails) this.injected.push({ point, hit });
    return fails;
  }
}
