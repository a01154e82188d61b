#!/usr/bin/env node
/**
 * The vdrm executable (package.json "bin"). It always runs: whether started as
 * `node dist/cli/main.js`, through npm's symlinked bin of a global install, or by npx, this
 * module is the program, so there is no "am I the main module?" test to get wrong.
 */
import { processIo } from "./io.js";
import { vdrmAsync } from "./program.js";

process.exitCode = await vdrmAsync(process.argv.slice(2), processIo());
