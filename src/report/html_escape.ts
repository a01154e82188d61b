/**
 * Escaping for the HTML report. Every piece of run data (labels, task names, uevent values,
 * ioctl arguments) is untrusted text: a label may legitimately contain "<script>".
 */

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for use in element content and in quoted attribute values.
 * @returns the text with & < > " ' replaced by entities; safe in both contexts.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/** Renders ` name="value"` with the value escaped; the name must be a literal of ours. */
export function attr(name: string, value: string | number): string {
  return ` ${name}="${escapeHtml(String(value))}"`;
}

/**
 * A CSS class token derived from untrusted text: only [a-z0-9-] survive, so it can never
 * break out of a class attribute or match a selector we did not write.
 */
export function classToken(text: string): string {
  const token = text.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return token === "" ? "none" : token;
}
