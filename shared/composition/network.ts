/**
 * The outbound fetch to public addresses (article pages, feeds, Mastodon servers), apart
 * from index.ts: undici goes only into the bundles of the functions that fetch.
 */
import * as z from 'zod';
import { readEnv } from '../config/env';
import type { Channel } from '../domain/channel';
import type { NotificationSender } from '../domain/notification';
import { createNotificationSender } from '../http/notification-sender';
import { fetchWebhookSender } from '../http/webhook-sender';
import { instanceLimit } from '../platforms/mastodon/instance';
import { createSafeFetch, type SafeFetcher } from '../preview/fetch';
import { createSnsClient, SnsNotificationTopic } from '../queue/notification-topic';
import { ENV } from '../resources';
import { once } from './index';

/** Public addresses only, every redirect hop checked (shared/preview/fetch.ts). */
export const safeFetch = once((): SafeFetcher => createSafeFetch());

/** A network's own text limit for a channel, where the server sets it (Mastodon). */
export const serverLimit = once((): ((channel: Channel) => Promise<number | undefined>) => {
  const fetch = safeFetch();
  return (channel) =>
    channel.platform === 'mastodon'
      ? instanceLimit(channel.account, fetch)
      : Promise.resolve(undefined);
});

/**
 * Where the editors' digests go: Slack and webhooks through the SSRF-safe fetcher, e-mail
 * to the deployment's topic (`CRIER_NOTIFY_TOPIC_ARN`). The local runtime names its
 * sandbox receiver (`CRIER_NOTIFY_SANDBOX_URL`), the one loopback address posted to.
 */
/** The deployment's e-mail topic (`CRIER_NOTIFY_TOPIC_ARN`), or none. */
export const notificationTopic = once((): SnsNotificationTopic | undefined => {
  const topicArn = readEnv({ [ENV.notifyTopicArn]: z.string().startsWith('arn:').optional() })[
    ENV.notifyTopicArn
  ];
  return topicArn ? new SnsNotificationTopic(createSnsClient(), topicArn) : undefined;
});

export const notificationSender = once((): NotificationSender => {
  const env = readEnv({
    [ENV.notifyTopicArn]: z.string().startsWith('arn:').optional(),
    // Loopback only: a stray value must never open the way to a private address.
    [ENV.notifySandboxUrl]: z
      .url({ protocol: /^http$/, hostname: /^(127\.0\.0\.1|localhost|\[::1\])$/ })
      .optional(),
  });
  const sandboxBase = env[ENV.notifySandboxUrl];
  const topic = notificationTopic();
  return createNotificationSender({
    safe: safeFetch(),
    direct: fetchWebhookSender,
    ...(sandboxBase ? { sandboxBase } : {}),
    ...(topic ? { email: { publish: (...args) => topic.publish(...args) } } : {}),
  });
});
