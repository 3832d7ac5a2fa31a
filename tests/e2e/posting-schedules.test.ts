/**
 * Posting schedules end to end: a local stack whose functions read a clock set just
 * before Berlin's clocks go forward (29 March 2026), with one channel on weekday slots in
 * America/La_Paz, one in Europe/Berlin and one that posts at once, through the signed
 * webhook, the real handlers, the tick and the sandbox networks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson, postWebhook, sampleArticle } from '../support/webhook';

type Share = {
  channelId: string;
  round: number;
  status: string;
  text: string;
  dueAt: string;
  remoteId: string | null;
  history: { at: string; event: string; to: string }[];
};
type SandboxPost = { platform: string; remoteId: string; text: string };

const config = {
  channels: [
    {
      id: 'x-lapaz',
      platform: 'x',
      account: 'newsroom',
      template: '{title} {url}',
      timezone: 'America/La_Paz',
      schedule: { type: 'slots', slots: { sat: ['21:00'], sun: ['08:00', '21:00'] } },
    },
    {
      id: 'bsky-berlin',
      platform: 'bluesky',
      account: 'newsroom.bsky.social',
      template: '{title}\n\n{url}',
      timezone: 'Europe/Berlin',
      // 02:30 does not exist on 29 March: it goes when the clocks jump, at 03:00 CEST.
      schedule: {
        type: 'slots',
        slots: { sat: ['21:00'], sun: ['02:30', '09:00'] },
        quietHours: { from: '23:00', to: '02:00' },
      },
    },
    {
      id: 'masto-now',
      platform: 'mastodon',
      account: '@newsroom@mastodon.example',
      template: '{title}\n\n{url}',
      evergreen: { afterDays: 1, max: 1 },
    },
  ],
};

/** The stack's time: real time shifted, so queue delays and the tick stay real. */
let offset = 0;
const clock = { now: () => new Date(Date.now() + offset) };
const travelTo = (iso: string) => {
  offset = Date.parse(iso) - Date.now();
};

let stack: TestStack;
let secret: string;
let token: string;
const previousConfig = process.env.CRIER_CONFIG;

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'crier-schedules-')), 'channels.json');
  writeFileSync(file, JSON.stringify(config));
  process.env.CRIER_CONFIG = file;
  stack = await startTestStack({ tickSeconds: 1, clock });
  secret = stack.secrets.webhookSecret.value;
  token = stack.secrets.editorToken.value;
});

afterAll(async () => {
  await stack?.dispose();
  if (previousConfig === undefined) delete process.env.CRIER_CONFIG;
  else process.env.CRIER_CONFIG = previousConfig;
});

async function send(id: string, patch: Record<string, unknown> = {}): Promise<string> {
  const article = { ...sampleArticle(), id, title: `Schedules ${id}`, ...patch };
  const response = await postWebhook(stack.url, secret, JSON.stringify(article));
  expect(response.status).toBe(202);
  return (response.body as { articleId: string }).articleId;
}

async function sharesOf(articleId: string): Promise<Share[]> {
  const { body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  return (body as { shares?: Share[] }).shares ?? [];
}

/** Waits until the article's shares are written and `check` holds for them, keyed by channel. */
async function waitFor(
  articleId: string,
  check: (shares: Record<string, Share>) => void,
  timeout = 30_000,
): Promise<Record<string, Share>> {
  return vi.waitFor(
    async () => {
      const shares = Object.fromEntries(
        (await sharesOf(articleId)).map((s) => [
          s.round > 1 ? `${s.channelId}~${s.round}` : s.channelId,
          s,
        ]),
      );
      check(shares);
      return shares;
    },
    { timeout, interval: 250 },
  );
}

const postsOf = async (share: Share | undefined): Promise<SandboxPost[]> =>
  ((await (await fetch(new URL('/sandbox/posts', stack.url))).json()) as SandboxPost[]).filter(
    (p) => p.remoteId === share?.remoteId,
  );

const publishedAt = (share: Share | undefined) =>
  share?.history.find((h) => h.to === 'published')?.at ?? '';

describe('posting schedules across a daylight-saving change', () => {
  let first: string;
  let second: string;

  it('posts at the next slot in each channel’s zone: 21:00 in La Paz, 03:00 CEST for 02:30 in Berlin', async () => {
    // Saturday 20:59:45 in La Paz; Sunday 01:59:45 CET in Berlin, a quarter-minute before the jump.
    travelTo('2026-03-29T00:59:45Z');
    first = await send('dst-first');
    const planned = await waitFor(first, (s) => expect(Object.keys(s)).toHaveLength(3));
    expect(planned['x-lapaz']?.dueAt).toBe('2026-03-29T01:00:00.000Z');
    expect(planned['bsky-berlin']?.dueAt).toBe('2026-03-29T01:00:00.000Z');

    // Composed alone, so its slots are the next ones: after the change, 09:00 CEST is 07:00 UTC.
    second = await send('dst-second');
    const next = await waitFor(second, (s) => expect(Object.keys(s)).toHaveLength(3));
    expect(next['bsky-berlin']).toMatchObject({
      status: 'scheduled',
      dueAt: '2026-03-29T07:00:00.000Z',
    });
    expect(next['x-lapaz']).toMatchObject({
      status: 'scheduled',
      dueAt: '2026-03-29T12:00:00.000Z',
    });

    const out = await waitFor(first, (s) => {
      expect(s['x-lapaz']?.status).toBe('published');
      expect(s['bsky-berlin']?.status).toBe('published');
    });
    // Never before the slot, on the stack's clock.
    for (const channel of ['x-lapaz', 'bsky-berlin']) {
      expect(publishedAt(out[channel]) >= '2026-03-29T01:00:00.000Z').toBe(true);
      expect((await postsOf(out[channel]))[0]?.text).toContain('Schedules dst-first');
    }
  }, 90_000);

  it('sends breaking news at once, outside the slots, and leaves the next planned share in place', async () => {
    const breaking = await send('dst-breaking', { priority: 'breaking' });
    const out = await waitFor(breaking, (s) => {
      for (const share of Object.values(s)) expect(share.status).toBe('published');
      expect(Object.keys(s)).toHaveLength(3);
    });
    expect((await postsOf(out['bsky-berlin']))[0]?.text).toContain('Schedules dst-breaking');
    const waiting = await sharesOf(second);
    expect(waiting.filter((s) => s.channelId !== 'masto-now').map((s) => s.status)).toEqual([
      'scheduled',
      'scheduled',
    ]);
  }, 60_000);

  it('re-shares an evergreen article a day after it went out, with a fresh text, and sends what fell due meanwhile', async () => {
    const evergreen = await send('dst-evergreen', { priority: 'evergreen' });
    const shared = await waitFor(evergreen, (s) => {
      expect(s['masto-now']?.status).toBe('published');
      expect(s['masto-now~2']?.status).toBe('scheduled');
    });
    const round2 = shared['masto-now~2'];
    expect(Date.parse(round2?.dueAt ?? '') - Date.parse(publishedAt(shared['masto-now']))).toBe(
      86_400_000,
    );
    expect(round2?.text).toMatch(/^From our archive: Schedules dst-evergreen/);

    // A day later: the tick sends round 2, and the second article's slots that passed meanwhile.
    travelTo(new Date(Date.parse(round2?.dueAt ?? '') - 2000).toISOString());
    const later = await waitFor(evergreen, (s) =>
      expect(s['masto-now~2']?.status).toBe('published'),
    );
    expect((await postsOf(later['masto-now~2']))[0]?.text).toMatch(
      /^From our archive: Schedules dst-evergreen/,
    );
    // max 1: no third round.
    expect(Object.keys(later).filter((k) => k.startsWith('masto-now'))).toEqual([
      'masto-now',
      'masto-now~2',
    ]);
    await waitFor(second, (s) => {
      for (const share of Object.values(s)) expect(share.status).toBe('published');
    });
  }, 90_000);
});
