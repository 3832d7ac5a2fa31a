/**
 * Reads a status's counts with `GET /api/v1/statuses/:id`: favourites, boosts and replies,
 * and quotes where the server counts them (Mastodon 4.5 and later send `quotes_count`).
 * Mastodon counts no views and no link clicks (docs/networks.md, Engagement metrics).
 */
import * as z from 'zod';
import type { Counts } from '../../domain/metrics';
import type { MetricsCall, MetricsOutcome } from '../client';
import { restClient } from './api';
import { parseMastodonCredentials } from './credentials';
import { failure, metricsFailure } from './errors';

const count = z.number().int().min(0);

// masto camel-cases every key of what the server sends.
const countsSchema = z.object({
  id: z.string(),
  favouritesCount: count,
  reblogsCount: count,
  repliesCount: count,
  quotesCount: count.nullish(),
});

/** What the instance answered, as an outcome. */
export function metricsOutcome(answer: unknown): MetricsOutcome {
  const parsed = countsSchema.safeParse(answer);
  if (!parsed.success) {
    return { kind: 'retry', message: 'Mastodon answered the status in an unknown shape' };
  }
  const status = parsed.data;
  const counts: Counts = {
    likes: status.favouritesCount,
    reposts: status.reblogsCount,
    replies: status.repliesCount,
    ...(typeof status.quotesCount === 'number' ? { quotes: status.quotesCount } : {}),
  };
  return { kind: 'read', counts };
}

export async function metrics(call: MetricsCall): Promise<MetricsOutcome> {
  const id = call.share.remoteId;
  if (!id) return { kind: 'rejected', message: 'The share has no status id to read' };
  const parsed = parseMastodonCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const client = restClient(parsed.credentials, call.timeoutMs);
  const signal = AbortSignal.timeout(call.timeoutMs);
  try {
    const status = await client.v1.statuses
      .$select(id)
      .fetch(undefined, { requestInit: { signal } });
    return metricsOutcome(status);
  } catch (error) {
    return metricsFailure(failure(error, signal, call.timeoutMs));
  }
}
