/**
 * Headless Chromium for the report's browser tests: Debian's /usr/bin/chromium driven by
 * playwright-core, from file:// with no network. Without the browser a test is skipped, except
 * on CI (process.env.CI set), where CI installs it and a missing browser is a failure.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Page } from "playwright-core";

const CHROMIUM_PATH = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const TEST_TIMEOUT_MS = 90_000;
export const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

/** The repository root: the nearest folder above this file with a package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 10; depth++) {
    if (existsSync(join(dir, "package.json"))) return dir;
    dir = dirname(dir);
  }
  throw new Error("Cannot find repository root: no package.json above the test file");
}

export interface OpenedReport {
  readonly page: Page;
  /** Console errors and uncaught page errors. */
  readonly errors: string[];
  /** Requests that left file://. */
  readonly foreignRequests: string[];
}

/**
 * Writes `html` to a temporary file, opens it in headless Chromium and runs `body`.
 * Without the browser, skips `t` (fails it on CI).
 */
export async function withReportPage(t: TestContext, html: string, body: (r: OpenedReport) => Promise<void>): Promise<void> {
  if (!existsSync(CHROMIUM_PATH)) {
    const message = `Cannot run browser test: ${CHROMIUM_PATH} not found (apt-get install -y chromium)`;
    if (process.env["CI"] !== undefined) assert.fail(message);
    t.skip(message);
    return;
  }
  const tempDir = mkdtempSync(join(tmpdir(), "vdrm-report-"));
  const reportPath = join(tempDir, "report.html");
  writeFileSync(reportPath, html);
  // launch() gives the browser a fresh temporary profile (user-data-dir) and deletes it on close.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    const foreignRequests: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
    });
    page.on("pageerror", (error) => errors.push(`page: ${error.message}`));
    page.on("request", (request) => {
      if (!request.url().startsWith("file:")) foreignRequests.push(request.url());
    });
    await page.goto(pathToFileURL(reportPath).href, { waitUntil: "load" });
    await body({ page, errors, foreignRequests });
  } finally {
    await browser.close();
    rmSync(tempDir, { recursive: true, force: true });
  }
}

/** Where a browser test leaves its screenshot for a person to look at. */
export function screenshotPath(name: string): string {
  const p = join(repoRoot(), "out", name);
  mkdirSync(dirname(p), { recursive: true });
  return p;
}
