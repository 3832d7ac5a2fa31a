/**
 * What the X sandbox keeps per account: its posts as X stores them (snowflake ids, t.co
 * links with their `entities`), media uploads, the duplicate check, and rate windows.
 */
import { randomBytes } from 'node:crypto';
import twitterText from 'twitter-text';
import type { OAuthKeys } from './oauth';

export type XUser = { id: string; username: string; name: string; createdAt: string };

export type UrlEntity = {
  start: number;
  end: number;
  url: string;
  expanded_url: string;
  display_url: string;
};

export type HashtagEntity = { start: number; end: number; tag: string };

export type StoredMedia = { mimeType: string; bytes: number; alt?: string };

export type StoredTweet = {
  id: string;
  authorId: string;
  /** the text as the request sent it */
  text: string;
  /** the text as X answers it: links as t.co, `& < >` escaped */
  apiText: string;
  /** milliseconds, whole seconds as X keeps them */
  createdAt: number;
  urls: UrlEntity[];
  hashtags: HashtagEntity[];
  inReplyToId: string | null;
  media: StoredMedia[];
  deleted: boolean;
};

export type Upload = {
  id: string;
  mediaKey: string;
  mediaType: string;
  category: string;
  totalBytes: number;
  segments: Map<number, number>;
  finalized: boolean;
  alt?: string;
  createdAt: number;
};

/** How long a text counts as a duplicate: X does not say ("recently"); a sandbox guess. */
export const DUPLICATE_WINDOW_MS = 24 * 60 * 60 * 1000;

const TWITTER_EPOCH = 1288834974657n;
const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** X's ids: milliseconds since X's epoch, shifted 22 bits, plus a worker and a sequence. */
export class SnowflakeIds {
  private lastMs = 0;
  private sequence = 0;

  next(now = Date.now()): string {
    let ms = Math.max(now, this.lastMs);
    if (ms === this.lastMs) {
      this.sequence += 1;
      if (this.sequence > 0xfff) {
        ms += 1;
        this.sequence = 0;
      }
    } else {
      this.sequence = 0;
    }
    this.lastMs = ms;
    return (((BigInt(ms) - TWITTER_EPOCH) << 22n) | (1n << 12n) | BigInt(this.sequence)).toString();
  }
}

/** The millisecond an id was minted at (X's own ids encode it). */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + TWITTER_EPOCH);
}

export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

function codePoints(text: string): number {
  return [...text].length;
}

function displayUrl(url: string): string {
  const bare = url.replace(/^https?:\/\//i, '').replace(/^www\./i, '');
  return bare.length > 26 ? `${bare.slice(0, 25)}…` : bare;
}

export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Every URL twitter-text finds (bare domains included) becomes a t.co link in the text X
 * answers with, and an entity carrying the original as `expanded_url`. Indices count code
 * points of the unescaped text (X's convention for v2 entities is not written down).
 */
export function linkify(text: string): {
  apiText: string;
  urls: UrlEntity[];
  hashtags: HashtagEntity[];
} {
  const found = twitterText
    .extractUrlsWithIndices(text)
    .sort((a, b) => a.indices[0] - b.indices[0]);
  let out = '';
  let last = 0;
  const urls: UrlEntity[] = [];
  for (const { url, indices } of found) {
    out += text.slice(last, indices[0]);
    const short = `https://t.co/${randomToken(10)}`;
    const start = codePoints(out);
    out += short;
    urls.push({
      start,
      end: start + short.length,
      url: short,
      expanded_url: /^https?:\/\//i.test(url) ? url : `http://${url}`,
      display_url: displayUrl(url),
    });
    last = indices[1];
  }
  out += text.slice(last);
  const tags = twitterText.extractHashtagsWithIndices(out);
  twitterText.modifyIndicesFromUTF16ToUnicode(out, tags);
  const hashtags = tags.map(({ hashtag, indices }) => ({
    start: indices[0],
    end: indices[1],
    tag: hashtag,
  }));
  return { apiText: escapeText(out), urls, hashtags };
}

type Window = { limit: number; windowMs: number; hits: number[] };

function windowState(window: Window, now: number) {
  window.hits = window.hits.filter((at) => at > now - window.windowMs);
  const oldest = window.hits[0];
  return {
    limit: window.limit,
    remaining: Math.max(0, window.limit - window.hits.length),
    reset: Math.ceil(((oldest ?? now) + window.windowMs) / 1000),
  };
}

export class XAccount {
  readonly tweets: StoredTweet[] = [];
  readonly uploads = new Map<string, Upload>();
  /** creates are refused with 429 until then (ms), after a `429` fault */
  rateLimitedUntil = 0;
  // X's documented caps (docs/networks.md, X, "Limits"); reported in headers, enforced only by a fault.
  private readonly creates15m: Window = { limit: 100, windowMs: 15 * 60_000, hits: [] };
  private readonly createsUserDay: Window = { limit: 2400, windowMs: 86_400_000, hits: [] };
  private readonly createsAppDay: Window = { limit: 10_000, windowMs: 86_400_000, hits: [] };
  private readonly reads = new Map<string, Window>();

  constructor(
    readonly user: XUser,
    readonly keys: OAuthKeys,
  ) {}

  duplicateOf(text: string, now: number): StoredTweet | undefined {
    const normalized = text.normalize('NFC').trim();
    return this.tweets.find(
      (t) =>
        !t.deleted &&
        t.createdAt > now - DUPLICATE_WINDOW_MS &&
        t.text.normalize('NFC').trim() === normalized,
    );
  }

  find(id: string): StoredTweet | undefined {
    return this.tweets.find((t) => t.id === id && !t.deleted);
  }

  recordCreate(now: number): void {
    for (const window of [this.creates15m, this.createsUserDay, this.createsAppDay]) {
      window.hits.push(now);
    }
  }

  /** `x-rate-limit-*` and the 24-hour caps, as X sends them on `POST /2/tweets`. */
  createHeaders(now: number, resetOverride?: number): Record<string, string> {
    const window = windowState(this.creates15m, now);
    const userDay = windowState(this.createsUserDay, now);
    const appDay = windowState(this.createsAppDay, now);
    return {
      'x-rate-limit-limit': String(window.limit),
      'x-rate-limit-remaining': String(resetOverride === undefined ? window.remaining : 0),
      'x-rate-limit-reset': String(resetOverride ?? window.reset),
      'x-user-limit-24hour-limit': String(userDay.limit),
      'x-user-limit-24hour-remaining': String(userDay.remaining),
      'x-user-limit-24hour-reset': String(userDay.reset),
      'x-app-limit-24hour-limit': String(appDay.limit),
      'x-app-limit-24hour-remaining': String(appDay.remaining),
      'x-app-limit-24hour-reset': String(appDay.reset),
    };
  }

  /** Counts a read on `route` and returns its headers (limits per 15 minutes, per user). */
  readHeaders(route: string, limit: number, now: number): Record<string, string> {
    let window = this.reads.get(route);
    if (!window) {
      window = { limit, windowMs: 15 * 60_000, hits: [] };
      this.reads.set(route, window);
    }
    window.hits.push(now);
    const state = windowState(window, now);
    return {
      'x-rate-limit-limit': String(state.limit),
      'x-rate-limit-remaining': String(state.remaining),
      'x-rate-limit-reset': String(state.reset),
    };
  }
}
