/**
 * Assertions for programmer errors in the model itself (never for expected kernel failures,
 * which are Errno results or findings).
 *
 * Messages follow "Cannot <action> <object>: <detail>".
 */
export class ModelAssertionError extends Error {
  override readonly name = "ModelAssertionError";
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ModelAssertionError(message);
}

export function assertNever(value: never, message = "Cannot handle value"): never {
  throw new ModelAssertionError(`${message}: ${JSON.stringify(value)}`);
}
