/**
 * The version of the installed package, read from its package.json (two levels above this
 * module in dist/ and in an installed package alike), so that it is right however vdrm is
 * started: npm start, a global install, npx or a symlinked bin.
 */
import { readFileSync } from "node:fs";

export function packageVersion(): string {
  const url = new URL("../../package.json", import.meta.url);
  const pkg = JSON.parse(readFileSync(url, "utf8")) as { version?: unknown };
  if (typeof pkg.version !== "string") {
    throw new TypeError(`Cannot read version: no version in ${url.pathname}`);
  }
  return pkg.version;
}
