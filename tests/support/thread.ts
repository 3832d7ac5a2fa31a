/**
 * The thread tests' share: the sample article with the standfirst its page really runs
 * to (the summary and the two paragraphs after it), composed for a channel with threads
 * on, and a driver that posts it part by part as the publisher does.
 */
import { TID } from '@atproto/common-web';
import { expect } from 'vitest';
import type { SandboxPost } from '../../infra/local/sandbox/posts';
import { parseGenericArticle } from '../../shared/domain/article-payload';
import { type ChannelInput, channelSchema } from '../../shared/domain/channel';
import type { Platform } from '../../shared/domain/platform';
import type { ArticleRecord } from '../../shared/domain/ports';
import type { Share } from '../../shared/domain/share';
import { type NextPost, nextPost, recordPost } from '../../shared/domain/share-thread';
import type {
  ClientCall,
  NetworkClient,
  PublishOutcome,
  ReconcileOutcome,
} from '../../shared/platforms/client';
import { newShare } from '../../shared/usecases/compose-article';
import { sampleArticle } from './webhook';

/**
 * The sample article's summary, then the first two paragraphs of its page; a `marker`
 * opens each paragraph and ends the whole, so that however it is split, two shares'
 * parts differ (X refuses a text it already holds).
 */
export function longStandfirst(marker?: string): string {
  const opening = marker ? `${marker}: ` : '';
  const closing = marker ? ` (${marker})` : '';
  return [
    String(sampleArticle().summary),
    `${opening}In a White House statement on November 11, President Donald Trump declared that the resignation of Evo Morales (orchestrated by the Bolivian bourgeoisie and military and legitimized by the Organization of American States, OAS) was “a significant moment for democracy in the Western Hemisphere.”`,
    `${opening}Since the general election on October 20, Bolivia has been shaken by a sharp polarization between a mounting right-wing opposition that accuses Morales of fraud on one side, and popular sectors that support the president or oppose the coup on the other.${closing}`,
  ].join(' ');
}

/** A channel of `platform` whose template carries the standfirst, with threads of up to `max` posts. */
export function threadChannel(platform: Platform, max = 3, extra: Partial<ChannelInput> = {}) {
  return channelSchema.parse({
    id: `${platform}-thread`,
    platform,
    account: 'newsroom',
    template: '{title}\n\n{summary}\n\n{url}',
    thread: { enabled: true, max },
    ...extra,
  });
}

let serial = 0;

/**
 * The share as compose makes it and the publisher claims it: `publishing`, its keys
 * chosen (Bluesky's record keys for the first post and every part).
 */
export function claimedThreadShare(platform: Platform, max = 3): Share {
  serial += 1;
  const tag = `${Date.now().toString(36)}-${serial}`;
  const payload = sampleArticle();
  const article = parseGenericArticle({
    ...payload,
    id: `${String(payload.id)}-${tag}`,
    url: String(payload.url).replace(/\/$/, `-${tag}/`),
    summary: longStandfirst(),
  });
  const now = new Date();
  const record: ArticleRecord = {
    articleId: `thread-${tag}`,
    article,
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const share = newShare(record, threadChannel(platform, max), now);
  const keys =
    platform === 'bluesky'
      ? { remoteKey: TID.nextStr(), threadKeys: (share.thread ?? []).map(() => TID.nextStr()) }
      : {};
  return { ...share, ...keys, status: 'publishing', firstClaimedAt: now.toISOString() };
}

export type Step = Exclude<NextPost, { kind: 'done' }>;

/**
 * Posts the share's missing posts in order, as the publisher does: each published post
 * is recorded before the next; a retry sends the same post again; after an unknown
 * outcome the post is looked for, and only if it is certainly absent sent again. `before` runs ahead of each call (to set a
 * fault). Returns the share as recorded and every outcome's kind, in order.
 */
export async function postThread(
  client: NetworkClient,
  base: Omit<ClientCall, 'share'>,
  start: Share,
  before: (step: Step) => void = () => {},
): Promise<{ share: Share; outcomes: string[] }> {
  let share = start;
  const outcomes: string[] = [];
  const replies = client.replies;
  if (!replies) throw new Error('the client posts no replies');
  for (let calls = 0; calls < 20; calls++) {
    const step = nextPost(share);
    if (step.kind === 'done') return { share, outcomes };
    before(step);
    const call = { ...base, share };
    const published: PublishOutcome =
      step.kind === 'root'
        ? await client.publish(call)
        : await replies.publish({ ...call, index: step.index, parentId: step.parentId });
    outcomes.push(published.kind);
    let made: { remoteId: string; remoteUrl: string } | undefined;
    if (published.kind === 'published') made = published;
    else if (published.kind === 'unknown') {
      const looked: ReconcileOutcome =
        step.kind === 'root'
          ? await client.reconcile(call)
          : await replies.reconcile({ ...call, index: step.index, parentId: step.parentId });
      outcomes.push(looked.kind);
      if (looked.kind === 'found') made = looked;
      else if (looked.kind !== 'absent') throw new Error(`reconcile: ${JSON.stringify(looked)}`);
    } else if (published.kind !== 'retry') {
      throw new Error(`unexpected outcome: ${JSON.stringify(published)}`);
    }
    if (made) share = { ...share, ...recordPost(share, step, made) };
  }
  throw new Error('the thread did not end');
}

/** A hook for postThread that runs `act` once, the first time the post of part `index` is due. */
export function atPart(index: number, act: () => void): (step: Step) => void {
  let done = false;
  return (step) => {
    if (done || step.kind !== 'reply' || step.index !== index) return;
    done = true;
    act();
  };
}

/** Asserts the sandbox holds exactly the share's posts, once each, each answering the one before. */
export function expectThread(posts: SandboxPost[], share: Share): void {
  const ids = [share.remoteId, ...(share.threadIds ?? [])];
  expect(posts.map((p) => p.remoteId)).toEqual(ids);
  expect(posts.map((p) => p.inReplyToId)).toEqual([null, ...ids.slice(0, -1)]);
  expect(posts.map((p) => p.text)).toEqual([share.text, ...(share.thread ?? [])]);
}
