import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeLines } from "./user_text.js";

test("escapeLines() escapes every line alike, keeping the line breaks", () => {
  assert.equal(escapeLines("a\x1bb\nc\x1bd\x85\ne\u2028"), "a\\x1bb\nc\\x1bd\\x85\ne\\u2028");
});
