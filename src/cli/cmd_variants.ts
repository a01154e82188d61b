/**
 * `vdrm variants`: every behaviour switch that --profile and --kernel set, with its spec ids
 * and its value per profile and version (src/base/variants.ts); --markdown prints the table of
 * docs/ARCHITECTURE.md.
 */
import type { Command } from "commander";
import { formatByVersion, PROFILE_NAMES, VARIANT_NAMES, VARIANTS, variantsMarkdown } from "../base/mod.js";
import { formatTextTable } from "../report/mod.js";
import type { CommandContext } from "./context.js";

export function addVariantsCommand(program: Command, ctx: CommandContext): void {
  program
    .command("variants")
    .description("list the kernel variants: every behaviour --profile and --kernel switch, " +
      "with its spec ids")
    .option("--markdown", "print the Markdown table (as in docs/ARCHITECTURE.md)")
    .action((o: { markdown?: boolean }) => {
      if (o.markdown === true) {
        ctx.io.out(variantsMarkdown());
        return;
      }
      const rows = VARIANT_NAMES.map((n) => {
        const v = VARIANTS[n];
        return [n, v.ids.join(","), ...PROFILE_NAMES.map((p) => formatByVersion(v.values[p])), v.summary];
      });
      const header = ["switch", "spec", ...PROFILE_NAMES, "what it decides"];
      for (const l of formatTextTable(header, rows)) ctx.io.out(l);
    });
}
