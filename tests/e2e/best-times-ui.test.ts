/**
 * A channel's best times learned, end to end: six weeks of readings from the sandboxes'
 * audience model taught through learnFromReading into the stack's table, then
 * `GET /api/channels/{id}/best-times` (an editor sees only their sites' channels) and the
 * heatmap on the channel's page in Chromium, at desktop and phone width.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countsAt, weeklyCurve } from '../../infra/local/sandbox/kit/audience';
import { parseMetricsAfter } from '../../shared/domain/metrics';
import { FUNCTIONS } from '../../shared/resources';
import { DynamoBestTimesStore } from '../../shared/store/best-times-store';
import { learnFromReading } from '../../shared/usecases/best-times';
import { launchChromium, PHONE, saveScreenshot, sidewaysOverflow } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';

const HOUR = 3_600_000;
const temp = mkdtempSync(join(tmpdir(), 'crier-best-times-ui-'));
let stack: TestStack;
let desktop: BrowserContext;
let phone: BrowserContext;
let admin: string;
let northEditor: string;
/** how many posts of x-newsroom were learned */
let learned = 0;

async function call(path: string, token: string) {
  const response = await fetch(new URL(path, stack.url), {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  stack = await startTestStack({
    functions: { 'editor-api': FUNCTIONS['editor-api'] },
    sandboxes: false,
  });
  admin = stack.secrets.editorToken.value;
  const site = await fetch(new URL('/api/sites', stack.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'north', name: 'North Gazette' }),
  });
  expect(site.status).toBe(201);
  const editor = await fetch(new URL('/api/editors', stack.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'nora', role: 'editor', sites: ['north'] }),
  });
  northEditor = String(((await editor.json()) as { token: string }).token);

  // Six weeks of x-newsroom's posts at the newsroom's hours, each read a day later from
  // the audience model, as the metrics collector would hand its readings over.
  const deps = {
    engagement: new DynamoBestTimesStore(stack.db, stack.tableName),
    timeZoneOf: async () => 'UTC',
    metricsAfterMs: parseMetricsAfter('1h,6h,24h,72h,7d'),
    clock: { now: () => new Date('2026-03-16T00:00:00Z') },
  };
  const start = Date.parse('2026-02-02T00:00:00Z');
  for (let i = 0; i < 250; i += 1) {
    const hour = (i * 7 + Math.floor(i / 24)) % (42 * 24);
    const publishedAt = start + hour * HOUR + ((i * 13) % 60) * 60_000;
    const url = `https://news.example/story-${i}`;
    const counts = countsAt(
      { platform: 'x', account: 'x-newsroom', url, publishedAt },
      publishedAt + 24 * HOUR,
    );
    const taught = await learnFromReading(deps, {
      siteId: 'default',
      channelId: 'x-newsroom',
      platform: 'x',
      articleId: `story-${i}`,
      title: `Story ${i}`,
      url,
      publishedAt: new Date(publishedAt).toISOString(),
      reading: { collectedAt: new Date(publishedAt + 24 * HOUR).toISOString(), ...counts },
      offsetIndex: 2,
      final: false,
    });
    if (taught) learned += 1;
  }
  desktop = await launchChromium(join(temp, 'desktop'));
  phone = await launchChromium(join(temp, 'phone'), PHONE);
}, 120_000);

afterAll(async () => {
  await desktop?.close();
  await phone?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

describe('the best-times route', () => {
  it("answers the channel's 7 x 24 estimate, the posts it rests on and whether it is mostly the prior", async () => {
    const { status, body } = await call('/api/channels/x-newsroom/best-times', admin);
    expect(status).toBe(200);
    expect(learned).toBe(250);
    expect(body).toMatchObject({ channelId: 'x-newsroom', timeZone: 'UTC', posts: 250 });
    const week = body.week as number[][];
    expect(week).toHaveLength(7);
    expect(week.every((day) => day.length === 24)).toBe(true);
    expect(Math.max(...week.flat())).toBe(1);
    // The best cell is one of the audience's good hours.
    const best = week.flat().indexOf(1);
    expect(weeklyCurve('x-newsroom')[best]).toBeGreaterThan(0.75);

    // A channel of the same site with no posts of its own starts from the site's week.
    const fresh = await call('/api/channels/mastodon-newsroom/best-times', admin);
    expect(fresh.body).toMatchObject({ posts: 0, mostlyPrior: true, priorShare: 1 });
  });

  it("is refused for another site's channel, an unknown one and a malformed id", async () => {
    expect((await call('/api/channels/x-newsroom/best-times', northEditor)).status).toBe(404);
    expect((await call('/api/channels/no-such/best-times', admin)).status).toBe(404);
    const bad = await call('/api/channels/Not%20An%20Id/best-times', admin);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.fields)).toContain('id');
  });
});

async function bestTimesPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.url}/#token=${encodeURIComponent(admin)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  await page.getByRole('link', { name: 'Channels', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
  await page.getByRole('link', { name: 'Best times of Newsroom on X (sandbox)' }).click();
  await page.getByRole('heading', { level: 1, name: /^Best times:/ }).waitFor();
  await page.locator('.best-times-map').waitFor();
  return page;
}

describe('a best schedule in the directory', () => {
  const channel = (schedule: Record<string, unknown>) => ({
    id: 'bluesky-best',
    platform: 'bluesky',
    account: 'best.example.org',
    template: '{title} {url}',
    siteId: 'north',
    schedule,
  });
  const post = async (body: unknown) => {
    const response = await fetch(new URL('/api/channels', stack.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('is refused with a 400 naming the window when it is out of range, and nothing is written', async () => {
    const refused = await post(channel({ type: 'best', withinHours: 0 }));
    expect(refused.status).toBe(400);
    expect(refused.body.fields).toEqual([
      expect.objectContaining({ field: 'schedule.withinHours' }),
    ]);
    expect((await call('/api/channels/bluesky-best/best-times', admin)).status).toBe(404);
  });

  it('is stored with its default window, and its page answers for its site’s editor', async () => {
    const made = await post(channel({ type: 'best', minSpacingMinutes: 30 }));
    expect(made.status).toBe(201);
    expect((made.body.channel as { schedule: unknown }).schedule).toEqual({
      type: 'best',
      withinHours: 24,
      minSpacingMinutes: 30,
    });
    const seen = await call('/api/channels/bluesky-best/best-times', northEditor);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ posts: 0, mostlyPrior: true });
  });
});

describe('the heatmap on the channel’s page', () => {
  it('shows each hour of the week with its value, the best hour darkest', async () => {
    const page = await bestTimesPage(desktop);
    expect(await page.locator('.best-times-basis').textContent()).toBe(
      'Learned from 250 posts of this channel.',
    );
    const cells = page.locator('.best-times-map td.heat');
    expect(await cells.count()).toBe(168);
    const best = page.locator('td.heat[aria-label$=": 100% of the best hour"]');
    expect(await best.count()).toBe(1);
    expect(await best.getAttribute('title')).toMatch(
      /^\w+day \d\d:00-\d\d:00: 100% of the best hour$/,
    );
    expect(await best.getAttribute('class')).toContain('heat-4');
    // Every cell says its value to a screen reader and a pointer alike.
    const labels = await cells.evaluateAll((tds) =>
      tds.map((td) => [td.getAttribute('aria-label'), td.getAttribute('title')]),
    );
    expect(labels.every(([label, title]) => label && label === title)).toBe(true);
    await saveScreenshot(page, 'best-times-desktop');
    await page.close();
  });

  it('fits a phone without sideways scrolling, and says when it is still the prior', async () => {
    const page = await bestTimesPage(phone);
    expect((await sidewaysOverflow(page)).overflow).toBe(0);
    await saveScreenshot(page, 'best-times-phone');

    await page.goto(`${stack.url}/#/channels/mastodon-newsroom/best-times`);
    await page.getByRole('heading', { level: 1, name: /^Best times:/ }).waitFor();
    await expect
      .poll(() => page.locator('.best-times-basis').textContent())
      .toBe("No posts of this channel measured yet: the map is its site's other channels' week.");
    expect((await sidewaysOverflow(page)).overflow).toBe(0);
    await saveScreenshot(page, 'best-times-phone-prior');
    await page.close();
  });
});
