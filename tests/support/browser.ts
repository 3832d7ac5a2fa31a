/**
 * Debian's chromium through playwright-core, as the UI tests start it: headless, with a
 * profile of its own, and without the background traffic this machine's closed network
 * refuses (docs/development.md, "Browser tests").
 */
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with its profile in `folder` (a test's temporary folder). */
export function launchChromium(
  folder: string,
  viewport: { width: number; height: number } = { width: 1400, height: 1000 },
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(folder, 'chromium-profile'), {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport,
  });
}
