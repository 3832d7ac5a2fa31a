/**
 * The traffic the checks read: each network's client runs what the publisher runs
 * (post, look for the post, read its counts where the client does, a thread where the
 * network takes one, a correction note and the look for it, edit and delete where it
 * allows them, a text too long, a 503, a refused token, a rate limit) against its sandbox
 * behind a recording proxy.
 */
import sharp from 'sharp';
import type { Platform } from '../../../shared/domain/platform';
import type { Share } from '../../../shared/domain/share';
import type { NetworkClient } from '../../../shared/platforms/client';
import { open } from '../../../shared/platforms/mastodon/api';
import { apiFor } from '../../../shared/platforms/x/api';
import { parseXCredentials } from '../../../shared/platforms/x/credentials';
import { HOUR, NETWORKS, prepared, startHarness } from '../sandbox-contract';
import { claimedThreadShare, postThread } from '../thread';
import { type Exchange, startRecorder } from './recorder';

/** The credentials' field that points a client at the sandbox. */
const ENDPOINT: Partial<Record<Platform, string>> = {
  x: 'apiBase',
  mastodon: 'url',
  telegram: 'apiRoot',
  facebook: 'apiBase',
  instagram: 'apiBase',
};

export type Flow = {
  /** what the client did, in order, with each step's outcome kind */
  steps: string[];
  exchanges: Exchange[];
};

function expectKind(step: string, outcome: { kind: string }, kinds: string[]): string {
  if (!kinds.includes(outcome.kind)) {
    throw new Error(`${step}: expected ${kinds.join(' or ')}, got ${JSON.stringify(outcome)}`);
  }
  return `${step}: ${outcome.kind}`;
}

/** Runs the publisher's calls of `platform`'s client through a recorder; the exchanges made. */
export async function recordFlow(platform: Platform): Promise<Flow> {
  const network = NETWORKS.find((n) => n.platform === platform);
  const field = ENDPOINT[platform];
  if (!network || !field) throw new Error(`no flow for ${platform}`);
  const harness = await startHarness(network.start);
  const recorder = await startRecorder(harness.sandbox.url);
  const client: NetworkClient = network.client;
  const credentials = { ...harness.sandbox.credentials, [field]: recorder.url };
  const base = { account: harness.sandbox.account, credentials, timeoutMs: 5_000 };
  const steps: string[] = [];
  try {
    let share: Share = network.share();
    if (client.prepare) share = await prepared(client, { ...base, share });
    const published = await client.publish({ ...base, share });
    steps.push(expectKind('publish', published, ['published']));
    if (published.kind !== 'published') throw new Error('not published');
    share = { ...share, remoteId: published.remoteId, remoteUrl: published.remoteUrl };
    steps.push(
      expectKind('reconcile', await client.reconcile({ ...base, share }), ['found', 'unsure']),
    );
    // Claimed long ago: past Mastodon's idempotency hour, the client lists the account's posts.
    const old = { ...share, firstClaimedAt: new Date(Date.now() - 2 * HOUR).toISOString() };
    const later = await client.reconcile({ ...base, share: old });
    steps.push(expectKind('reconcile later', later, ['found', 'unsure']));
    if (client.metrics) {
      // A reading of the post's counts, as the metrics collector takes it.
      steps.push(expectKind('metrics', await client.metrics({ ...base, share }), ['read']));
    }
    if (platform === 'telegram') {
      // Without an image the post is a message with a link preview rather than a photo.
      const text = await client.publish({
        ...base,
        share: { ...network.share(), media: undefined },
      });
      steps.push(expectKind('publish without image', text, ['published']));
    }
    if (client.replies) {
      const thread = await postThread(client, base, claimedThreadShare(platform));
      steps.push(`thread: ${thread.outcomes.join(', ')}`);
      const parentId = thread.share.remoteId ?? '';
      const part = {
        ...thread.share,
        firstClaimedAt: new Date(Date.now() - 2 * HOUR).toISOString(),
      };
      const looked = await client.replies.reconcile({ ...base, share: part, index: 0, parentId });
      steps.push(expectKind('reconcile a reply later', looked, ['found', 'unsure']));
    }
    if (client.notes) {
      // A correction note under the post, then the look for it after a lost answer.
      const note = {
        ...base,
        share,
        text: 'Correction: an earlier version gave the wrong date.',
        parentId: share.remoteId ?? '',
        key: `${share.idempotencyKey}-note`,
      };
      steps.push(expectKind('note', await client.notes.publish(note), ['published']));
      steps.push(
        expectKind('reconcile a note', await client.notes.reconcile(note), ['found', 'unsure']),
      );
    }
    const edit = await client.withdraw({ ...base, share, action: 'edit', text: 'Withdrawn.' });
    steps.push(expectKind('edit', edit, ['withdrawn', 'rejected']));
    const removed = await client.withdraw({ ...base, share, action: 'delete' });
    steps.push(expectKind('delete', removed, ['withdrawn', 'rejected']));
    const tooLong = { ...network.share(), text: `${'Far too long. '.repeat(5_000)}` };
    const refusedText = client.prepare
      ? await client.prepare({ ...base, share: tooLong })
      : await client.publish({ ...base, share: tooLong });
    steps.push(expectKind('text too long', refusedText, ['rejected']));
    harness.faults.set(`${platform}:503:1:1`);
    const unavailable = await client.publish({ ...base, share: network.share() });
    steps.push(expectKind('unavailable', unavailable, ['unknown', 'retry']));
    harness.faults.set(`${platform}:auth:1:1`);
    const refused = await client.publish({ ...base, share: network.share() });
    steps.push(expectKind('refused token', refused, ['auth']));
    harness.faults.set(`${platform}:429:1:1`);
    const limited = await client.publish({ ...base, share: network.share() });
    steps.push(expectKind('rate limited', limited, ['rate']));
    return { steps, exchanges: recorder.exchanges };
  } finally {
    await recorder.stop();
    await harness.sandbox.stop();
  }
}

/**
 * The media routes of the X and Mastodon sandboxes, which Crier's clients do not use yet
 * (they post text, and the network draws the link's card): an image uploaded and posted
 * with alt text through the same libraries and the clients' own set-up.
 */
export async function recordMediaFlow(platform: 'x' | 'mastodon'): Promise<Flow> {
  const network = NETWORKS.find((n) => n.platform === platform);
  if (!network) throw new Error(`no flow for ${platform}`);
  const harness = await startHarness(network.start);
  const recorder = await startRecorder(harness.sandbox.url);
  const image = await sharp({
    create: { width: 120, height: 80, channels: 3, background: { r: 200, g: 30, b: 40 } },
  })
    .jpeg()
    .toBuffer();
  const steps: string[] = [];
  try {
    if (platform === 'x') {
      const parsed = parseXCredentials({ ...harness.sandbox.credentials, apiBase: recorder.url });
      if (!parsed.ok) throw new Error(parsed.message);
      const api = apiFor(parsed.credentials, AbortSignal.timeout(10_000));
      const mediaId = await api.v2.uploadMedia(image, { media_type: 'image/jpeg' });
      await api.v2.createMediaMetadata(mediaId, { alt_text: { text: 'A red square' } });
      const created = await api.v2.tweet({ text: 'With a photo', media: { media_ids: [mediaId] } });
      steps.push(`posted with media: ${created.data.id !== ''}`);
    } else {
      const opened = open({
        share: network.share(),
        account: harness.sandbox.account,
        credentials: { ...harness.sandbox.credentials, url: recorder.url },
        timeoutMs: 10_000,
      });
      if ('kind' in opened) throw new Error(opened.message);
      const media = await opened.client.v2.media.create({
        file: new Blob([new Uint8Array(image)], { type: 'image/jpeg' }),
        description: 'A red square',
      });
      const status = await opened.client.v1.statuses.create({
        status: 'With a photo',
        mediaIds: [media.id],
      });
      steps.push(`posted with media: ${status.mediaAttachments.length === 1}`);
    }
    return { steps, exchanges: recorder.exchanges };
  } finally {
    await recorder.stop();
    await harness.sandbox.stop();
  }
}
