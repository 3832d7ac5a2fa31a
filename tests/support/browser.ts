/**
 * Debian's chromium through playwright-core, as the UI tests start it: headless, with a
 * profile of its own, and without the background traffic this machine's closed network
 * refuses (docs/development.md, "Browser tests").
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

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

/**
 * A browser with its profile in `folder` (a test's temporary folder); `options` set the
 * browser's own time zone and locale (the machine's otherwise).
 */
export function launchChromium(
  folder: string,
  viewport: { width: number; height: number } = { width: 1400, height: 1000 },
  options: { timezoneId?: string; locale?: string } = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(folder, 'chromium-profile'), {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport,
    ...options,
  });
}

/** A phone's viewport: the width the editor UI must fit without sideways scrolling. */
export const PHONE = { width: 390, height: 844 } as const;

/**
 * Saves a screenshot of `page` as `<name>.png` under the folder `CRIER_SCREENSHOTS`
 * names, for a person to look at (`CRIER_SCREENSHOTS=/tmp/shots npx vitest run
 * tests/e2e/...`); without it, nothing is written. The full page is taken, so what lies
 * below the fold is seen too.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  const folder = process.env.CRIER_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
}

/**
 * How far the page is wider than its viewport, in CSS pixels (0 when nothing scrolls
 * sideways), and the widest elements sticking out, to name them when it is not 0.
 */
export async function sidewaysOverflow(
  page: Page,
): Promise<{ overflow: number; culprits: string[] }> {
  // Evaluated in the page, as a string: the tests' TypeScript has no DOM types.
  return (await page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    const overflow = Math.max(0, document.documentElement.scrollWidth - width);
    const culprits = [];
    if (overflow > 0) {
      for (const element of document.querySelectorAll('body *')) {
        const box = element.getBoundingClientRect();
        if (box.right > width + 1 && box.width > 0) {
          const id = element.id ? '#' + element.id : '';
          const classes = element.classList.length ? '.' + [...element.classList].join('.') : '';
          culprits.push(element.tagName.toLowerCase() + id + classes + ' (right ' + Math.round(box.right) + ')');
          if (culprits.length >= 8) break;
        }
      }
    }
    return { overflow, culprits };
  })()`)) as { overflow: number; culprits: string[] };
}
