/**
 * The ioctl step: an ioctl by its Linux name (or a request number), with the inputs of its
 * uapi struct as `args`; the result is the struct's outputs after the call.
 *
 * The name is resolved once, when the file is loaded, to the uapi definition, which is what
 * the step passes to ioctl(2). The definition's struct checks the step at load: every field in
 * `args` must be an input of the struct and fit its type (a __u32 takes 0..2^32-1, a __u64
 * 0..2^64-1, exactly), and every field in an `expect:` mapping must be one of its outputs. A
 * `$name` value is checked the same way when the step runs.
 */
import { z } from "zod";
import { assert } from "../kernel/mod.js";
import {
  DRM_IOCTL_NAMES,
  fieldValue,
  fieldValueProblem,
  ioctlByCmd,
  ioctlByName,
  type AnyFieldValue,
  type AnyIoctlDef,
  type Call,
  type Fd,
  type FieldDesc,
  type IoctlFields,
  type IoctlRequest,
  type SysResult,
} from "../uapi/mod.js";
import { defineOp, fromSys, hex, intOrRef, type FieldProblem, type Outcome } from "./op.js";
import { didYouMean } from "./suggest.js";
import { REF_PATTERN, StepError, type Fields, type NamedResults } from "./values.js";

/** An ioctl as written: a Linux name or a request number, resolved to its definition once. */
const request = z
  .union([z.number().int().nonnegative().max(0xffffffff), z.string()])
  .transform((v, ctx): IoctlRequest => {
    if (typeof v === "number") return ioctlByCmd(v) ?? v;
    const def = ioctlByName(v);
    if (def === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `unknown ioctl "${v}"${didYouMean(v, DRM_IOCTL_NAMES)}`,
      });
      return z.NEVER;
    }
    return def;
  });

type ArgValue = number | bigint | string | readonly ArgValue[] | { readonly [k: string]: ArgValue };
const argValue: z.ZodType<ArgValue> = z.lazy(() =>
  z.union([z.number(), z.bigint(), z.string(), z.array(argValue), z.record(z.string(), argValue)]),
);

function isRef(v: unknown): v is string {
  return typeof v === "string" && !v.startsWith("$$") && REF_PATTERN.test(v);
}

function requestName(r: IoctlRequest): string {
  return typeof r === "number" ? hex(r) : r.name;
}

/** What the step's inputs mean: "DRM_IOCTL_X reads a, b" (or that it reads none). */
function inputsOf(def: AnyIoctlDef): string {
  return def.inFields.length === 0
    ? `${def.name} reads no field`
    : `${def.name} reads ${def.inFields.join(", ")}`;
}

function outputsOf(def: AnyIoctlDef): string {
  return def.outFields.length === 0
    ? `${def.name} returns no field`
    : `${def.name} returns ${def.outFields.join(", ")}`;
}

/** The problems of a value for field `f` (a nested struct field by field), `$names` skipped. */
function valueProblems(
  f: FieldDesc,
  v: unknown,
  path: readonly (string | number)[],
): FieldProblem[] {
  if (isRef(v)) return [];
  if (f.kind === "struct" && v !== null && typeof v === "object" && !Array.isArray(v)) {
    return Object.entries(v).flatMap(([k, x]) => {
      const sub = f.struct.fields[k];
      if (sub !== undefined) return valueProblems(sub, x, [...path, k]);
      const hint = didYouMean(k, Object.keys(f.struct.fields));
      return [{ path: [...path, k], atKey: true, message: `unknown field "${k}" of ${f.ctype}${hint}` }];
    });
  }
  const ints = f.kind === "ids" || f.kind === "array" || (f.kind === "userArray" && "kind" in f.elem);
  if (ints && Array.isArray(v)) {
    // A list of ids may hold `$name` references (a handle an earlier step made): each is
    // checked when the step runs; the literal ids here.
    const literal = v.filter((x) => !isRef(x));
    if (literal.length !== v.length) return valueProblems(f, literal, path);
  }
  const problem = fieldValueProblem(f, v);
  return problem === null ? [] : [{ path, atKey: false, message: problem }];
}

/**
 * The problems of the fields a step gives or expects: unknown fields (with the closest name),
 * fields of the wrong direction, values that do not fit. `dir` says which side is checked.
 */
function fieldProblems(
  r: IoctlRequest,
  fields: Readonly<Record<string, unknown>>,
  dir: "in" | "out",
): FieldProblem[] {
  const names = Object.keys(fields);
  if (typeof r === "number") {
    const what = dir === "in" ? "takes no args" : "returns no field";
    return names.map((k) => ({
      path: [k],
      atKey: true,
      message: `no uapi struct is known for request ${hex(r)}: it ${what}`,
    }));
  }
  const usable: readonly string[] = dir === "in" ? r.inFields : r.outFields;
  return names.flatMap((k): FieldProblem[] => {
    const [outer, member] = k.split(".", 2) as [string, string | undefined];
    if (dir === "out" && member !== undefined && usable.includes(outer)) {
      const s = structOf(r, outer);
      if (s !== null && s.fields[member] !== undefined) return [];
      const hint = s === null ? "" : didYouMean(member, Object.keys(s.fields));
      return [{ path: [k], atKey: true, message: `"${outer}" of ${r.name} has no member "${member}"${hint}` }];
    }
    const f = r.struct.fields[k];
    if (f === undefined) {
      const hint = didYouMean(k, usable) || didYouMean(k, Object.keys(r.struct.fields));
      const side = dir === "in" ? inputsOf(r) : outputsOf(r);
      const message = `unknown field "${k}" of struct ${r.struct.name}${hint}; ${side}`;
      return [{ path: [k], atKey: true, message }];
    }
    if (!usable.includes(k)) {
      const other =
        dir === "in"
          ? `an output of ${r.name}, not an input; ${inputsOf(r)}`
          : `an input of ${r.name}, not a result; ${outputsOf(r)}`;
      return [{ path: [k], atKey: true, message: `"${k}" is ${other}` }];
    }
    return valueProblems(f, fields[k], [k]);
  });
}

/** A value with every `$name` in it resolved. */
function resolveDeep(names: NamedResults, v: unknown): unknown {
  if (typeof v === "string") return names.resolve(v);
  if (Array.isArray(v)) return v.map((x) => resolveDeep(names, x));
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveDeep(names, x)]));
  return v;
}

/** A field value in the model's form (64-bit as bigint), nested structs included. */
function modelValue(f: FieldDesc, v: unknown): AnyFieldValue {
  if (f.kind === "struct") {
    const o = v as Readonly<Record<string, unknown>>;
    return Object.fromEntries(
      Object.entries(o).map(([k, x]) => [k, modelValue(f.struct.fields[k]!, x)]),
    );
  }
  return fieldValue(f, v as AnyFieldValue);
}

/** The step's args, resolved and checked again now that `$names` have values. */
function resolveArgs(
  names: NamedResults,
  r: IoctlRequest,
  args: Readonly<Record<string, unknown>>,
): IoctlFields {
  if (typeof r === "number") return {};
  const resolved = Object.fromEntries(
    Object.entries(args).map(([k, v]) => [k, resolveDeep(names, v)]),
  );
  const problem = fieldProblems(r, resolved, "in")[0];
  if (problem !== undefined)
    throw new StepError(`args.${problem.path.join(".")}: ${problem.message}`);
  return Object.fromEntries(
    Object.entries(resolved).map(([k, v]) => [k, modelValue(r.struct.fields[k]!, v)]),
  );
}

function isStruct(v: unknown): v is Readonly<Record<string, unknown>> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * The struct's outputs as step result fields. A nested struct's fields are `field.sub`
 * (GETCRTC's `mode.hdisplay`); an array of structs gives one list per member
 * (GETCONNECTOR's `modes_ptr.name`, GETPROPERTY's `enum_blob_ptr.value`). Without either,
 * the call record's own output object.
 */
function resultFields(out: IoctlFields): Fields {
  const values = Object.values(out);
  if (!values.some((v) => isStruct(v) || (Array.isArray(v) && v.some(isStruct)))) return out as Fields;
  const fields: Record<string, Fields[string]> = {};
  for (const [k, v] of Object.entries(out)) {
    if (isStruct(v)) {
      for (const [sub, x] of Object.entries(v)) fields[`${k}.${sub}`] = x as Fields[string];
    } else if (Array.isArray(v) && v.some(isStruct)) {
      const rows = v as readonly Readonly<Record<string, unknown>>[];
      for (const sub of Object.keys(rows[0]!)) fields[`${k}.${sub}`] = rows.map((r) => r[sub] as Fields[string]);
    } else fields[k] = v as Fields[string];
  }
  return fields;
}

/** The struct of an output `name` that holds structs (a nested struct, an array of them), or null. */
function structOf(r: AnyIoctlDef, name: string): { readonly fields: Readonly<Record<string, FieldDesc>> } | null {
  const f = r.struct.fields[name];
  if (f?.kind === "struct") return f.struct;
  if (f?.kind === "userArray" && !("kind" in f.elem)) return f.elem;
  return null;
}

function showArg(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(showArg).join(",")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}=${showArg(x)}`)
      .join(", ")}}`;
  return String(v);
}

export const ioctlOp = defineOp({
  name: "ioctl",
  summary:
    "ioctl(2) by Linux name (DRM_IOCTL_...) or number, on fd, with the inputs of its uapi " +
    "struct as args; result the struct's outputs",
  schema: z
    .object({ ioctl: request, fd: intOrRef, args: z.record(z.string(), argValue).optional() })
    .strict()
    .superRefine((a, ctx) => {
      for (const p of fieldProblems(a.ioctl, a.args ?? {}, "in"))
        ctx.addIssue({
          code: "custom",
          path: ["args", ...p.path],
          message: p.message,
          params: { atKey: p.atKey },
        });
    }),
  describe: (a) => {
    const args = Object.entries(a.args ?? {}).map(([k, v]) => `${k}=${showArg(v)}`);
    return `ioctl ${a.fd}, ${requestName(a.ioctl)}${args.length ? ` {${args.join(", ")}}` : ""}`;
  },
  checkExpected: (a, fields) => fieldProblems(a.ioctl, fields, "out"),
  *run(ctx, a): Call<Outcome> {
    const fd = ctx.names.resolveNumber(a.fd, "fd") as Fd;
    const arg = resolveArgs(ctx.names, a.ioctl, a.args ?? {});
    const r =
      typeof a.ioctl === "number"
        ? yield* ctx.sys.ioctl(fd, a.ioctl)
        : yield* ctx.sys.ioctl(fd, a.ioctl, arg as never);
    return fromSys(r as SysResult<IoctlFields>, resultFields);
  },
});
