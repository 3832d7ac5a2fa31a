/**
 * The composition root: the one place that turns the environment into adapters. Every
 * handler in functions/ takes its stores, queues, configuration and clock from here
 * rather than building them itself, so each is built one way, once per module load.
 *
 * Each adapter is made on first use and kept: a handler asks for what it needs at module
 * load, which is its cold start, so a missing variable fails that start loudly and names
 * itself, and a handler never reads (or needs) a variable it does not use. The heavy
 * adapters live in modules of their own (network.ts, preview.ts, platforms.ts), so a
 * function that does not import them does not carry them in its bundle.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { loadChannelsConfig } from '../config/channels';
import { runtimeClock } from '../config/clock';
import {
  CachedDirectory,
  type LiveChannels,
  liveChannels as toLiveChannels,
} from '../config/directory-cache';
import { readEnv, required } from '../config/env';
import { type PublishingConfig, readPublishingConfig } from '../config/publishing';
import { readSyndicationRetry, type SyndicationRetry } from '../config/syndication';
import type { ChannelsConfig } from '../domain/channel';
import { fileSiteOf } from '../domain/channel-directory';
import type { Clock } from '../domain/ports';
import type { Share } from '../domain/share';
import type { SyndicationQueue, WebhookSender } from '../domain/syndication';
import { fetchWebhookSender } from '../http/webhook-sender';
import type { ComposeSettings } from '../platforms/types';
import { createSqsClient } from '../queue/client';
import { SqsComposeQueue } from '../queue/compose-queue';
import { SqsPublishQueue } from '../queue/publish-queue';
import { SqsRedelivery, SqsSyndicationQueue } from '../queue/syndicate-queue';
import { ENV, QUEUES, type QueueName } from '../resources';
import { DynamoAccessStore } from '../store/access-store';
import { DynamoArticleStore } from '../store/article-store';
import { DynamoBestTimesStore } from '../store/best-times-store';
import { DynamoChannelDirectory } from '../store/channel-directory';
import { DynamoChannelStateStore } from '../store/channel-state-store';
import { DynamoChannelTimeline } from '../store/channel-timeline';
import { createDocumentClient } from '../store/client';
import { DynamoComposeMarkers } from '../store/compose-markers';
import { DynamoConnectStore } from '../store/connect-store';
import { DynamoDeliveryGuard } from '../store/delivery-guard';
import { DynamoEngagementStore } from '../store/engagement-store';
import { DynamoFeedStore } from '../store/feed-store';
import { DynamoMetricsStore } from '../store/metrics-store';
import { DynamoNotificationStore } from '../store/notification-store';
import { DynamoPreviewStore } from '../store/preview-store';
import { DynamoRefreshLeases } from '../store/refresh-leases';
import { DynamoShareStore } from '../store/share-store';
import { DynamoSlotStore } from '../store/slot-store';
import { bestScores } from '../usecases/best-times';
import { type DispatchDeps, enqueueIfDue } from '../usecases/dispatch';
import { sharePlanner as planShares, type SharePlanner } from '../usecases/schedule-share';
import type { RevisionSweepDeps } from '../usecases/sweep-revisions';

/** A value made on the first call and returned by every later one; a failure is not kept. */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

// --- The environment: each variable read and checked once, where it is first needed.

function requiredVariable(name: string): string {
  const value = readEnv({ [name]: required() })[name];
  // readEnv has thrown already; only the index type cannot say so.
  if (value === undefined) throw new Error(`Missing or invalid environment variables: ${name}`);
  return value;
}

const tableName = once(() => requiredVariable(ENV.tableName));

const queueUrl = (name: QueueName) => requiredVariable(QUEUES[name].urlEnv);

/** The channels file (`CRIER_CONFIG`); unset, the built-in local default is used. */
export const channelsConfigPath = once(
  () => readEnv({ [ENV.channelsConfig]: z.string().optional() })[ENV.channelsConfig],
);

/** The local editor token; unset in AWS, where API Gateway's JWT authorizer guards the routes. */
export const editorToken = once(
  () => readEnv({ [ENV.editorToken]: z.string().min(16).optional() })[ENV.editorToken],
);

// --- Configuration.

export const channelsConfig = once((): ChannelsConfig => loadChannelsConfig(channelsConfigPath()));

export const publishingConfig = once((): PublishingConfig => readPublishingConfig());

export const syndicationRetry = once((): SyndicationRetry => readSyndicationRetry());

/**
 * The one clock every function reads. It is the system's in AWS; the local runtime may
 * set another (infra/local/stack.ts `clock`), so an end-to-end test can run the whole
 * stack across a daylight-saving change. A function that read the system clock directly
 * would disagree with the others there, so none does.
 */
export const clock: Clock = runtimeClock;

// --- DynamoDB: one document client, and the stores on the one table.

export const documentClient = once((): DynamoDBDocumentClient => createDocumentClient());

export const onTable = <T>(make: (db: DynamoDBDocumentClient, table: string) => T) =>
  once(() => make(documentClient(), tableName()));

export const articleStore = onTable((db, table) => new DynamoArticleStore(db, table, clock));
export const composeMarkers = onTable((db, table) => new DynamoComposeMarkers(db, table));
export const shareStore = onTable((db, table) => new DynamoShareStore(db, table));
/** The desk's engagement figures; a stored reading feeds them (`recordReading`). */
export const engagementStore = onTable((db, table) => new DynamoEngagementStore(db, table));
/** Every reading of each published post's counts. */
export const metricsStore = onTable((db, table) => new DynamoMetricsStore(db, table));
export const channelStateStore = onTable((db, table) => new DynamoChannelStateStore(db, table));
export const slotStore = onTable((db, table) => new DynamoSlotStore(db, table));
export const refreshLeases = onTable((db, table) => new DynamoRefreshLeases(db, table));
export const previewStore = onTable((db, table) => new DynamoPreviewStore(db, table));
export const feedStore = onTable((db, table) => new DynamoFeedStore(db, table));
export const connectStore = onTable((db, table) => new DynamoConnectStore(db, table));
export const channelTimeline = onTable((db, table) => new DynamoChannelTimeline(db, table));
export const deliveryGuard = onTable((db, table) => new DynamoDeliveryGuard(db, table, clock));
export const notificationStore = onTable(
  (db, table) => new DynamoNotificationStore(db, table, clock),
);
/** The sums the best-time estimate rests on (`CH#<id>` / `ENGAGE`, `SITE#<id>` / `ENGAGE`). */
export const bestTimesStore = onTable((db, table) => new DynamoBestTimesStore(db, table));
export const channelDirectory = onTable(
  (db, table) => new DynamoChannelDirectory(db, table, clock),
);

/**
 * Sites' webhook keys and the editors made through the API. A replaced webhook key is
 * accepted for `CRIER_WEBHOOK_KEY_GRACE_SECONDS` (a day by default).
 */
export const accessStore = onTable((db, table) => {
  const grace = readEnv({
    CRIER_WEBHOOK_KEY_GRACE_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .optional(),
  }).CRIER_WEBHOOK_KEY_GRACE_SECONDS;
  return new DynamoAccessStore(db, table, clock, grace);
});

/**
 * The channel directory as this function sees it: read at most once per
 * `CRIER_DIRECTORY_TTL_SECONDS` (60 by default), so a change reaches every function
 * within that time. The handlers take their channels and sites from it
 * (`liveChannels()`, once per invocation); the channels file is what `crier channels
 * import` puts in the table (and the local stack at its first start).
 */
export const cachedDirectory = once(() => {
  const ttl = readEnv({
    CRIER_DIRECTORY_TTL_SECONDS: z.coerce.number().min(0).max(3600).optional(),
  }).CRIER_DIRECTORY_TTL_SECONDS;
  return new CachedDirectory(
    channelDirectory(),
    clock,
    ttl === undefined ? {} : { ttlSeconds: ttl },
  );
});

/** The channels and sites as this function sees them now (at most one TTL old). */
export async function liveChannels(): Promise<LiveChannels> {
  return toLiveChannels(await cachedDirectory().snapshot());
}

/**
 * The settings for `{site}` and `{handles}`: the site from the directory (the
 * article's own), the author directory from the channels file.
 */
export function composeSettingsOf(live: LiveChannels, siteId: string): ComposeSettings {
  const site = live.siteOf(siteId);
  return { site: site ? fileSiteOf(site) : undefined, authors: channelsConfig().authors };
}

// --- SQS: one client, and the queues.

export const sqsClient = once(() => createSqsClient());

export const publishQueue = once(() => new SqsPublishQueue(sqsClient(), queueUrl('publish')));
export const composeQueue = once(() => new SqsComposeQueue(sqsClient(), queueUrl('compose')));

/**
 * Where a published share is announced for the CMS: only where the channels config says
 * where to tell it. The queue's URL is required either way, so a function deployed
 * without it fails at its start rather than on the first config that turns it on.
 */
export const syndicationQueue = once((): SyndicationQueue | undefined => {
  const url = queueUrl('syndicate');
  return channelsConfig().syndication ? new SqsSyndicationQueue(sqsClient(), url) : undefined;
});

/** Holds a received syndicate message back for its backoff (the message names its queue). */
export const redelivery = once(() => new SqsRedelivery(sqsClient()));

export const webhookSender: WebhookSender = fetchWebhookSender;

// --- Use-case wiring more than one function shares.

/** What the direct path and the every-minute dispatcher need (shared/usecases/dispatch.ts). */
export const dispatchDeps = once(
  (): DispatchDeps => ({
    shares: shareStore(),
    publishQueue: publishQueue(),
    clock,
    config: publishingConfig(),
  }),
);

/** The tick's revision sweep: stored revisions whose compose message was lost. */
export const revisionSweepDeps = once(
  (): RevisionSweepDeps => ({
    articles: articleStore(),
    markers: composeMarkers(),
    composeQueue: composeQueue(),
    clock,
    config: publishingConfig().revisionSweep,
  }),
);

/** The direct path: claims and sends a share that falls due within the look-ahead. */
export const directPath = once((): ((share: Share) => Promise<Share>) => {
  const deps = dispatchDeps();
  return (share) => enqueueIfDue(deps, share);
});

/** Places shares on their channel's calendar: spacing, caps and posting windows. */
export const sharePlanner = once(
  (): SharePlanner =>
    planShares({
      slots: slotStore(),
      shares: shareStore(),
      articles: articleStore(),
      clock,
      bestScores: (channel, seed) => bestScores({ engagement: bestTimesStore() }, channel, seed),
    }),
);
