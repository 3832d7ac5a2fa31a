/**
 * The sandboxes' audience model: the truth the metrics tests and the best-time benchmark
 * measure against, so it must be deterministic, grow but never fall, and treat an article
 * the same whatever UTM parameters a channel adds to its link.
 */
import { describe, expect, it } from 'vitest';
import {
  type AudiencePost,
  appealOf,
  countsAt,
  engagementOf,
  expectedReach,
  growth,
  HOURS_PER_WEEK,
  hourOfWeek,
  weeklyCurve,
} from '../../../infra/local/sandbox/kit/audience';
import { articleLinkOf, audiencePostOf } from '../../../infra/local/sandbox/kit/engagement';
import { spread } from '../../../infra/local/sandbox/telegram/updates';

const HOUR = 3_600_000;
const post: AudiencePost = {
  platform: 'mastodon',
  account: '@newsroom',
  url: 'https://news.example.org/2026/11/bridge-reopens/',
  publishedAt: Date.parse('2026-11-25T12:10:00Z'),
};

describe('the audience model', () => {
  it('gives the same counts for the same post at the same age, every time', () => {
    const at = post.publishedAt + 6 * HOUR;
    expect(countsAt({ ...post }, at)).toEqual(countsAt({ ...post }, at));
    expect(weeklyCurve('@another')).toEqual(weeklyCurve('@another'));
    // Another account or network is another audience.
    expect(countsAt({ ...post, account: '@elsewhere' }, at)).not.toEqual(countsAt(post, at));
    expect(countsAt({ ...post, platform: 'x' }, at)).not.toEqual(countsAt(post, at));
  });

  it('never lets a count fall as the post ages, and starts from nothing', () => {
    expect(countsAt(post, post.publishedAt)).toEqual({
      views: 0,
      likes: 0,
      reposts: 0,
      replies: 0,
      quotes: 0,
      clicks: 0,
    });
    let previous = countsAt(post, post.publishedAt);
    for (let age = 1_000; age <= 8 * 24 * HOUR; age = Math.ceil(age * 1.3)) {
      const now = countsAt(post, post.publishedAt + age);
      for (const key of Object.keys(now) as (keyof typeof now)[]) {
        expect(now[key], `${key} at ${age} ms`).toBeGreaterThanOrEqual(previous[key]);
      }
      previous = now;
    }
    expect(previous.views).toBeGreaterThan(0);
    expect(growth(-1)).toBe(0);
    expect(growth(30 * 24 * HOUR)).toBeCloseTo(1, 5);
  });

  it("judges the article by its address alone: a channel's UTM parameters change nothing", () => {
    const tagged = `${post.url}?utm_source=mastodon&utm_medium=social#top`;
    expect(appealOf(tagged)).toBe(appealOf(post.url));
    expect(countsAt({ ...post, url: tagged }, post.publishedAt + HOUR)).toEqual(
      countsAt(post, post.publishedAt + HOUR),
    );
    expect(appealOf('https://news.example.org/other-story/')).not.toBe(appealOf(post.url));
    for (const url of ['a', 'b', 'c', 'd', 'e'].map((s) => `https://news.example.org/${s}`)) {
      expect(appealOf(url)).toBeGreaterThanOrEqual(0.3);
      expect(appealOf(url)).toBeLessThanOrEqual(3);
    }
  });

  it("puts each account's best hour at exactly 1, every other hour in (0, 1]", () => {
    for (const account of ['@newsroom', 'newsroom.bsky.social', 'urn:li:organization:1']) {
      const curve = weeklyCurve(account);
      expect(curve).toHaveLength(HOURS_PER_WEEK);
      expect(Math.max(...curve)).toBe(1);
      expect(Math.min(...curve)).toBeGreaterThan(0);
    }
  });

  it('reaches more people at a busy hour than in the dead of night', () => {
    const curve = weeklyCurve(post.account);
    const best = curve.indexOf(1);
    const monday = Date.parse('2026-11-23T00:00:00Z');
    expect(hourOfWeek(monday)).toBe(0);
    expect(hourOfWeek(monday + best * HOUR)).toBe(best);
    const night = expectedReach({ ...post, publishedAt: monday + 3 * HOUR });
    const peak = expectedReach({ ...post, publishedAt: monday + best * HOUR });
    expect(peak).toBeGreaterThan(night * 2);
    const counts = countsAt(post, post.publishedAt + 7 * 24 * HOUR);
    expect(engagementOf(counts)).toBe(
      counts.likes + counts.reposts + counts.replies + counts.quotes + counts.clicks,
    );
  });
});

describe("a sandbox post's place in the model", () => {
  it('takes the article link from the card, else the first link in the text, else the post', () => {
    const base = { url: 'https://social.example/@newsroom/1', text: 'Read it' };
    expect(articleLinkOf({ ...base, card: { url: 'https://news.example.org/a/' } })).toBe(
      'https://news.example.org/a/',
    );
    expect(
      articleLinkOf({ ...base, text: 'Read it: https://news.example.org/b/?utm_source=x.' }),
    ).toBe('https://news.example.org/b/?utm_source=x');
    expect(articleLinkOf(base)).toBe(base.url);
    expect(
      audiencePostOf({
        ...base,
        platform: 'telegram',
        remoteId: '-1001/2',
        inReplyToId: null,
        account: '@newsroom',
        receivedAt: '2026-11-25T12:10:00.000Z',
      }),
    ).toEqual({
      platform: 'telegram',
      account: '@newsroom',
      url: base.url,
      publishedAt: Date.parse('2026-11-25T12:10:00.000Z'),
    });
  });
});

describe("the Telegram sandbox's reactions", () => {
  it('spread a total over a few emoji, most on the first, adding up to it', () => {
    for (const total of [0, 1, 3, 7, 40, 999]) {
      const reactions = spread(total);
      expect(reactions.reduce((sum, r) => sum + r.total_count, 0)).toBe(total);
      expect(reactions.every((r) => r.total_count >= 1 && r.type.type === 'emoji')).toBe(true);
      const first = reactions[0]?.total_count ?? 0;
      expect(reactions.every((r) => r.total_count <= first)).toBe(true);
    }
    expect(spread(40).map((r) => r.type.emoji)).toEqual(['👍', '❤', '🔥', '🎉']);
  });
});
