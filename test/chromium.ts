/**
 * The browser the explorer's tests drive: Chromium at CHROMIUM_PATH or /usr/bin/chromium.
 * Without one they are skipped with one loud line, unless CI is set (.ci/run installs
 * Chromium), where a missing browser fails the run.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
export const HAVE_BROWSER = existsSync(CHROMIUM);
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
export const describeInBrowser = HAVE_BROWSER || IN_CI ? describe : describe.skip;

/** Says loudly, once per test file, that `what` is skipped for want of a browser (outside CI). */
export function warnIfNoBrowser(what: string): void {
  if (HAVE_BROWSER || IN_CI) return;
  process.stderr.write(`SKIPPED ${what}: no Chromium at ${CHROMIUM}. To run them: apt-get install -y chromium, or set CHROMIUM_PATH=<browser binary>; CI=true makes a missing browser fail.\n`);
}

/** For beforeAll: under CI a missing browser is an error that names what to install. */
export function requireBrowser(what: string): void {
  if (!HAVE_BROWSER) throw new Error(`no Chromium at ${CHROMIUM} for ${what} (apt-get update && apt-get install -y chromium, or CHROMIUM_PATH=<binary>; .ci/run installs it)`);
}
