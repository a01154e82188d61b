// @ts-check
/**
 * A Stryker ignorer (stryker.config.mjs, `ignorers: ["model-asserts"]`): no mutants inside a
 * call of the model's own `assert(condition, message)` (src/kernel/assert.ts). Such a call
 * states an invariant of the model; it throws only when vdrm itself is wrong (exit 70,
 * internal error), never for anything a program or a scenario can do, so no test at the
 * user-visible boundary can tell `assert(true, "")` from the original. The mutants are
 * reported as Ignored with this reason, outside the score (docs/quality.md).
 */
import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

const REASON = "a model invariant (assert): fails only on a bug of vdrm itself";

/** @param {any} path a Babel NodePath */
function isAssertCall(path) {
  if (!path.isCallExpression()) return false;
  const callee = path.node.callee;
  return callee.type === "Identifier" && callee.name === "assert";
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "model-asserts", {
    /** @param {any} path */
    shouldIgnore(path) {
      return isAssertCall(path) ? REASON : undefined;
    },
  }),
];
