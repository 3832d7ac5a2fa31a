/**
 * The editors' notifications in memory: a failed share is recorded once however often its
 * message is handled, the notifier sends one digest per site and target per run, resends
 * an open batch under the same id after a crash, retries only the target that refused,
 * reminds of a waiting draft once, and never puts a target's secret in a message.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/domain/channel';
import { buildDigest, slackBody } from '../../../shared/domain/notification';
import type { ArticleRecord } from '../../../shared/domain/ports';
import {
  findWaitingDrafts,
  MAX_EVENTS_PER_BATCH,
  MAX_SEND_ATTEMPTS,
  type NotifyEditorsDeps,
  notifyChannelHealth,
  notifyEditors,
  REMINDER_WINDOW_MS,
  recordShareParked,
  troubleOf,
} from '../../../shared/usecases/notify-editors';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import { deskOf, START } from '../../support/in-memory/desk';
import { composedShare, publishDeps, queuedShare, refOf } from '../../support/in-memory/fixtures';
import { type InMemoryWorld, outcome, ScriptedClient } from '../../support/in-memory/index';
import {
  InMemoryNotificationStore,
  RecordingNotificationSender,
} from '../../support/in-memory/notifications';

const SLACK = 'https://hooks.slack.com/services/T000/B000/SECRETslackTOKEN';
const WEBHOOK_SECRET = `whsec_${Buffer.from('sixteen-byte-key-for-tests').toString('base64')}`;

let world: InMemoryWorld;
let store: InMemoryNotificationStore;
let sender: RecordingNotificationSender;
let channel: Channel;
let record: ArticleRecord;

beforeEach(async () => {
  ({ world, channel, record } = await deskOf());
  store = new InMemoryNotificationStore();
  sender = new RecordingNotificationSender();
  await store.saveSettings('default', {
    slackWebhookUrl: SLACK,
    email: true,
    webhook: { url: 'https://cms.example/hooks/crier?token=abc', secret: WEBHOOK_SECRET },
  });
});

const notifierDeps = (overrides: Partial<NotifyEditorsDeps> = {}): NotifyEditorsDeps => ({
  store,
  sender,
  sites: [{ id: 'default', name: 'The Daily' }],
  clock: world.clock,
  editorUrl: 'https://crier.example.org',
  waitingDrafts: (sites, before) => findWaitingDrafts(world, sites, before),
  ...overrides,
});

async function failedShare() {
  const client = new ScriptedClient();
  client.onPublish(outcome.auth('HTTP 401: token revoked'));
  const queued = await queuedShare(world, record, channel);
  const deps = publishDeps(world, [channel], client, { notifications: store });
  const result = await handlePublishMessage(deps, refOf(queued));
  return { result, deps, queued };
}

describe('recording', () => {
  it('records a failed share once, even when its message is handled again', async () => {
    const { result, deps, queued } = await failedShare();
    expect(result.outcome).toBe('failed');
    // A redelivered message finds the share failed, and records nothing new.
    await handlePublishMessage(deps, refOf(queued));
    const pending = await store.pending('default');
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      kind: 'share-failed',
      siteId: 'default',
      articleId: record.articleId,
      channelId: 'masto-desk',
      title: record.article.title,
      reason: 'auth: HTTP 401: token revoked',
    });
  });

  it('records a failure found by a redelivered message when the first handler died before recording', async () => {
    const { deps, queued } = await failedShare();
    store.events.clear();
    await handlePublishMessage(deps, refOf(queued));
    expect(await store.pending('default')).toHaveLength(1);
  });

  it('records nothing for a published share', async () => {
    const client = new ScriptedClient();
    client.onPublish(outcome.posted('1', 'https://social.example/@desk/1'));
    const queued = await queuedShare(world, record, channel);
    await handlePublishMessage(
      publishDeps(world, [channel], client, { notifications: store }),
      refOf(queued),
    );
    expect(await store.pending('default')).toEqual([]);
  });

  it('tells a parked share (unknown, no lease left) from one reconcile will try again', async () => {
    const share = await queuedShare(world, record, channel);
    const { leaseUntil: _lease, ...parked } = { ...share, status: 'unknown' as const };
    expect(troubleOf(parked)).toBe('share-parked');
    expect(troubleOf({ ...share, status: 'unknown' })).toBeUndefined();
    expect(troubleOf({ ...share, status: 'failed' })).toBe('share-failed');
    expect(troubleOf(share)).toBeUndefined();
  });

  it('records a share held for a reconnect once per state change', async () => {
    const share = await queuedShare(world, record, channel);
    const context = { siteId: 'default', reason: 'waiting for masto-desk to be reconnected' };
    expect(await recordShareParked(store, share, context)).toBe(true);
    expect(await recordShareParked(store, share, context)).toBe(false);
    expect(await recordShareParked(store, { ...share, version: share.version + 1 }, context)).toBe(
      true,
    );
    expect((await store.pending('default')).map((e) => e.kind)).toEqual([
      'share-parked',
      'share-parked',
    ]);
  });

  it('records an expiring or failing channel once a day, and ignores ok and unconnected', async () => {
    const health = {
      siteId: 'default',
      channelId: 'masto-desk',
      name: 'Desk',
      at: world.clock.now(),
    };
    expect(await notifyChannelHealth(store, { ...health, status: 'ok' })).toBe(false);
    expect(await notifyChannelHealth(store, { ...health, status: 'unconnected' })).toBe(false);
    expect(
      await notifyChannelHealth(store, { ...health, status: 'failing', reason: 'HTTP 401' }),
    ).toBe(true);
    expect(
      await notifyChannelHealth(store, { ...health, status: 'failing', reason: 'HTTP 401' }),
    ).toBe(false);
    expect(await notifyChannelHealth(store, { ...health, status: 'expiring' })).toBe(true);
    world.clock.advance(86_400_000);
    expect(
      await notifyChannelHealth(store, { ...health, status: 'failing', at: world.clock.now() }),
    ).toBe(true);
    expect((await store.pending('default')).map((e) => e.kind).sort()).toEqual([
      'channel-expiring',
      'channel-failing',
      'channel-failing',
    ]);
  });
});

describe('sending', () => {
  it('sends one digest per target with every pending event, then nothing more', async () => {
    await failedShare();
    await notifyChannelHealth(store, {
      siteId: 'default',
      channelId: 'masto-desk',
      status: 'failing',
      reason: 'HTTP 401: token revoked',
      at: world.clock.now(),
    });

    const report = await notifyEditors(notifierDeps());

    expect(report).toMatchObject({ batches: 1, sent: 3, failed: 0 });
    expect(sender.received.map((r) => r.target).sort()).toEqual(['email', 'slack', 'webhook']);
    const ids = new Set(sender.received.map((r) => r.batchId));
    expect(ids.size).toBe(1);
    const webhook = JSON.parse(sender.received.find((r) => r.target === 'webhook')?.body ?? '{}');
    expect(webhook).toMatchObject({
      type: 'notifications.digest',
      data: { siteId: 'default', counts: { 'share-failed': 1, 'channel-failing': 1 } },
    });
    const failed = webhook.data.items.find(
      (item: { kind: string }) => item.kind === 'share-failed',
    );
    expect(failed.link).toBe(
      `https://crier.example.org/#/articles/${encodeURIComponent(record.articleId)}`,
    );

    expect(await notifyEditors(notifierDeps())).toMatchObject({ batches: 0, sent: 0 });
    expect(sender.received).toHaveLength(3);
  });

  it('sends the same batch under the same id after dying between send and mark: one per target at a deduping receiver', async () => {
    await failedShare();
    store.failNextUpdate = true;
    await expect(notifyEditors(notifierDeps())).rejects.toThrow('the function died');
    expect(sender.received).toHaveLength(3);

    const again = await notifyEditors(notifierDeps());

    expect(again).toMatchObject({ batches: 0, sent: 3 });
    expect(sender.received).toHaveLength(6);
    expect(new Set(sender.received.map((r) => r.batchId)).size).toBe(1);
    expect(sender.unique()).toHaveLength(3);
    expect(await notifyEditors(notifierDeps())).toMatchObject({ sent: 0 });
  });

  it('retries only the target that refused, on the next run, with the same batch', async () => {
    await failedShare();
    sender.refuse.add('webhook');
    expect(await notifyEditors(notifierDeps())).toMatchObject({ sent: 2, failed: 1 });
    sender.refuse.clear();

    expect(await notifyEditors(notifierDeps())).toMatchObject({ sent: 1, failed: 0 });
    expect(sender.received.map((r) => r.target).sort()).toEqual(['email', 'slack', 'webhook']);
    expect(new Set(sender.received.map((r) => r.batchId)).size).toBe(1);
  });

  it(`gives a refusing target up after ${MAX_SEND_ATTEMPTS} runs`, async () => {
    await failedShare();
    sender.refuse.add('slack');
    for (let run = 0; run < MAX_SEND_ATTEMPTS; run++) await notifyEditors(notifierDeps());
    expect(await store.openBatches('default')).toEqual([]);
  });

  it(`sends at most ${MAX_EVENTS_PER_BATCH} events in a batch, oldest first, the rest next run`, async () => {
    await store.saveSettings('default', { email: true });
    for (let i = 0; i < MAX_EVENTS_PER_BATCH + 5; i++) {
      await notifyChannelHealth(store, {
        siteId: 'default',
        channelId: `channel-${String(i).padStart(3, '0')}`,
        status: 'failing',
        at: new Date(Date.parse(START) + i * 1000),
      });
    }
    expect(await notifyEditors(notifierDeps())).toMatchObject({ batches: 1, sent: 1 });
    expect(sender.received[0]?.body).toContain(`${MAX_EVENTS_PER_BATCH} channels are failing`);
    expect(sender.received[0]?.body).toContain('channel-000');
    expect(await notifyEditors(notifierDeps())).toMatchObject({ batches: 1, sent: 1 });
    expect(sender.received[1]?.body).toContain('5 channels are failing');
    expect(sender.received[1]?.body).toContain(`channel-${MAX_EVENTS_PER_BATCH + 4}`);
  });

  it('keeps the events of a site with no target until one is set', async () => {
    await failedShare();
    store.targets.clear();
    expect(await notifyEditors(notifierDeps())).toMatchObject({ batches: 0 });
    await store.saveSettings('default', { email: true });
    expect(await notifyEditors(notifierDeps())).toMatchObject({ batches: 1, sent: 1 });
  });

  it('reminds of a draft waiting longer than the site allows, once', async () => {
    await store.saveSettings('default', { email: true, approvalReminderMinutes: 30 });
    await composedShare(world, record, channel, { status: 'draft' });

    world.clock.advance(20 * 60_000);
    expect(await notifyEditors(notifierDeps())).toMatchObject({ reminders: 0, batches: 0 });

    world.clock.advance(15 * 60_000);
    expect(await notifyEditors(notifierDeps())).toMatchObject({ reminders: 1, batches: 1 });
    expect(sender.received[0]?.body).toContain('Waiting for approval');

    world.clock.advance(60 * 60_000);
    expect(await notifyEditors(notifierDeps())).toMatchObject({ reminders: 0, batches: 0 });
    expect(sender.received).toHaveLength(1);
  });

  it('does not catch up on a draft that became overdue longer ago than the reminder window', async () => {
    await store.saveSettings('default', { email: true, approvalReminderMinutes: 30 });
    await composedShare(world, record, channel, { status: 'draft' });
    world.clock.advance(30 * 60_000 + REMINDER_WINDOW_MS + 60_000);
    expect(await notifyEditors(notifierDeps())).toMatchObject({ reminders: 0, batches: 0 });
  });

  it('never puts a target secret in any message', async () => {
    await failedShare();
    await notifyEditors(notifierDeps());
    for (const entry of sender.received) {
      expect(entry.body).not.toContain('SECRETslackTOKEN');
      expect(entry.body).not.toContain(WEBHOOK_SECRET);
      expect(entry.body).not.toContain('token=abc');
    }
  });
});

describe('the digest', () => {
  it('counts by kind and lists a line per event, oldest first, capped', () => {
    const events = Array.from({ length: 25 }, (_, i) => ({
      key: `k${i}`,
      siteId: 'default',
      kind: 'share-failed' as const,
      at: new Date(Date.parse(START) + i * 1000).toISOString(),
      articleId: `a${i}`,
      channelId: 'x-main',
      title: `Story ${i}`,
      reason: 'rejected: HTTP 422',
    }));
    const digest = buildDigest('The Daily', events, 'https://crier.example.org/');
    expect(digest.subject).toBe('Crier, The Daily: 25 shares failed');
    expect(digest.items).toHaveLength(25);
    expect(digest.text.split('\n')).toHaveLength(1 + 20 + 1);
    expect(digest.text).toContain('…and 5 more');
    expect(digest.items[0]?.line).toBe('Failed: “Story 0” on x-main: rejected: HTTP 422');
    const slack = slackBody(digest);
    expect(slack.text).toBe(digest.text);
    expect(slack.blocks).toHaveLength(21);
  });

  it('tells of a post that may need a correction, with its note and a link to the article', () => {
    const digest = buildDigest(
      'The Daily',
      [
        {
          key: 'post-correction#a1#x-main#0#r2',
          siteId: 'default',
          kind: 'post-correction',
          at: START,
          articleId: 'a1',
          channelId: 'x-main',
          title: 'Bridge vote fails',
          reason: 'The vote was 4-5.',
        },
      ],
      'https://crier.example.org/',
    );
    expect(digest.subject).toBe('Crier, The Daily: 1 post may need a correction');
    expect(digest.items[0]).toMatchObject({
      line: 'Correction: “Bridge vote fails” on x-main: The vote was 4-5.',
      link: 'https://crier.example.org/#/articles/a1',
    });
  });
});
