/**
 * `vdrm ops`: the step kinds a scenario may use, one line each, from the op registry.
 */
import type { Command } from "commander";
import { OPS } from "../scenario/mod.js";
import type { CommandContext } from "./context.js";

export function addOpsCommand(program: Command, ctx: CommandContext): void {
  program
    .command("ops")
    .description("list the step kinds a scenario may use")
    .action(() => {
      const width = Math.max(...[...OPS.keys()].map((k) => k.length));
      for (const op of OPS.values()) ctx.io.out(`${op.name.padEnd(width)}  ${op.summary}`);
    });
}
