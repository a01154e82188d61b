/**
 * From the steps written under a program to the steps that run. A list in place of a step
 * (usually an alias of a snippet) runs its steps in place. A `repeat` step runs its `steps`
 * once per value of its counter (1..N, or each value of a list), with `$counter` and
 * `${counter}` replaced by the value:
 *
 *     - repeat: 20
 *       as: round
 *       steps:
 *         - sysfs-write: /sys/bus/pci/drivers/vdisp/unbind
 *           value: "0000:01:00.0"
 *
 * Every step keeps where it is written and the copies it came through (alias uses and
 * repetitions), so errors and the timeline can name them; the steps of a scenario, all
 * programs together, are at most STEPS_MAX.
 */
import { z } from "zod";
import { STEPS_MAX } from "./limits.js";
import type { DataPath } from "./locate.js";
import type { StepCopy } from "./scenario.js";
import { NAME_PATTERN } from "./schema.js";
import { substituteCounters, type Value } from "./values.js";
import type { SourceMap } from "./yaml_data.js";
import { pathIssues, type PathIssue } from "./zod_issues.js";

/** One step to run, before its own validation. */
export interface WrittenStep {
  /** The step as written, with the counters of the repeats around it replaced. */
  readonly raw: unknown;
  /** Where it is written (for a step from a snippet: in the snippet). */
  readonly path: DataPath;
  readonly copies: readonly StepCopy[];
}

const counterValue = z.union([
  z.number(),
  z
    .string()
    .refine((s) => !s.includes("$"), "a repeat value cannot hold $ (it would read as a reference)"),
]);

const REPEAT_FORMS = `expected a number of times (1..${STEPS_MAX}) or a list of values`;

export const repeatStep = z
  .object({
    repeat: z.union(
      [
        z.number().int(REPEAT_FORMS).min(1, REPEAT_FORMS).max(STEPS_MAX, REPEAT_FORMS),
        z.array(counterValue).min(1, REPEAT_FORMS).max(STEPS_MAX, REPEAT_FORMS),
      ],
      {
        error: REPEAT_FORMS,
      },
    ),
    as: z
      .string()
      .regex(NAME_PATTERN, "a name is letters, digits, '_' and '-', starting with a letter")
      .optional(),
    steps: z.array(z.unknown(), { error: "expected a list of steps" }).min(1),
    note: z.string().optional(),
  })
  .strict();

/** What expanding the programs of one scenario shares. */
export class Expansion {
  /** Steps that may still be added (below zero: too many, already reported). */
  private left = STEPS_MAX;
  /** Every repeat counter name, for the name checks. */
  readonly counters = new Set<string>();
  readonly issues: PathIssue[] = [];

  constructor(
    private readonly source: SourceMap,
    private readonly lineAt: (offset: number) => number,
  ) {}

  /** The steps of one program, written at `path`. */
  program(steps: readonly unknown[], path: DataPath): WrittenStep[] {
    const out: WrittenStep[] = [];
    this.list(steps, path, [], new Map(), out);
    return out;
  }

  private list(
    items: readonly unknown[],
    path: DataPath,
    copies: readonly StepCopy[],
    counters: ReadonlyMap<string, Value>,
    out: WrittenStep[],
  ): void {
    for (const [i, item] of items.entries()) {
      if (this.left < 0) return;
      const p = [...path, i];
      if (Array.isArray(item)) {
        const alias = this.source.aliasOf(p);
        const via: StepCopy[] =
          alias === undefined
            ? []
            : [{ kind: "alias", name: alias.name, line: this.lineAt(alias.at) }];
        this.list(item, p, [...copies, ...via], counters, out);
      } else if (item !== null && typeof item === "object" && Object.hasOwn(item, "repeat")) {
        this.repeat(item, p, copies, counters, out);
      } else if (--this.left < 0) {
        this.issues.push({
          path: p,
          atKey: false,
          message:
            `the scenario has more than ${STEPS_MAX} steps (counted after aliases and repeat), ` +
            "the most it may have",
        });
      } else {
        out.push({
          raw: counters.size > 0 ? substituteCounters(item, counters) : item,
          path: p,
          copies,
        });
      }
    }
  }

  private repeat(
    item: object,
    path: DataPath,
    copies: readonly StepCopy[],
    counters: ReadonlyMap<string, Value>,
    out: WrittenStep[],
  ): void {
    if (Object.hasOwn(item, "expect")) {
      this.issues.push({
        path: [...path, "expect"],
        atKey: true,
        message: "a repeat has no result of its own; write expect: on the steps inside it",
      });
      return;
    }
    const r = repeatStep.safeParse(counters.size > 0 ? substituteCounters(item, counters) : item);
    if (!r.success) {
      this.issues.push(...pathIssues(r.error.issues, repeatStep, path));
      return;
    }
    const { repeat, as, steps } = r.data;
    if (as !== undefined && counters.has(as)) {
      this.issues.push({
        path: [...path, "as"],
        atKey: false,
        message: `"${as}" already counts an enclosing repeat; give this counter another name`,
      });
      return;
    }
    if (as !== undefined) this.counters.add(as);
    const values: Value[] =
      typeof repeat === "number" ? Array.from({ length: repeat }, (_, k) => k + 1) : repeat;
    const line = this.lineAt(this.source.offset(path));
    for (const [k, value] of values.entries()) {
      if (this.left < 0) return;
      const inner = as === undefined ? counters : new Map([...counters, [as, value]]);
      const copy: StepCopy = {
        kind: "repeat",
        ...(as !== undefined ? { as } : {}),
        value,
        n: k + 1,
        of: values.length,
        line,
      };
      this.list(steps, [...path, "steps"], [...copies, copy], inner, out);
    }
  }
}
