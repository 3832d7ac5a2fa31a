/**
 * The CMS webhooks' HTTP side: `POST /webhooks/generic`, `/webhooks/wordpress` and
 * `/webhooks/ghost` (the default site's, with the deployment's secrets), and the same
 * three under `/{siteId}` (signed with that site's own key of the kind), each verified and
 * read from its headers and raw body by its own reader (shared/ingest).
 * functions/ingest-webhook.ts stores what they read.
 */
import type { ArticleChange, ArticleSource } from '../domain/article';
import { DEFAULT_SITE_ID } from '../domain/article';
import type { WebhookKind } from '../domain/editor';
import { NotFoundError, UnauthorizedError } from '../domain/errors';
import { readGenericWebhook } from '../ingest/generic';
import { readGhostWebhook } from '../ingest/ghost';
import type { WebhookHeaders } from '../ingest/standard-webhooks';
import { readWordPressWebhook } from '../ingest/wordpress';
import { httpEventSchema, rawBody } from './event';

/** The secrets the CMSs sign with: Standard Webhooks (generic, WordPress), and Ghost's own. */
export type WebhookSecrets = { webhook: string; ghost: string };

/** A verified delivery: which CMS sent it, its id for deduplication, and what changed. */
export type WebhookDelivery = { source: ArticleSource; deliveryId: string; change: ArticleChange };

type Reader = (
  headers: WebhookHeaders,
  body: Buffer,
) => { deliveryId: string; change: ArticleChange };

function readers(secrets: WebhookSecrets): Record<string, { source: ArticleSource; read: Reader }> {
  return {
    'POST /webhooks/generic': {
      source: 'generic',
      read: (headers, body) => {
        const { deliveryId, article } = readGenericWebhook(secrets.webhook, headers, body);
        return { deliveryId, change: { article } };
      },
    },
    'POST /webhooks/wordpress': {
      source: 'wordpress',
      read: (headers, body) => readWordPressWebhook(secrets.webhook, headers, body),
    },
    'POST /webhooks/ghost': {
      source: 'ghost',
      read: (headers, body) => readGhostWebhook(secrets.ghost, headers, body),
    },
  };
}

/** A site's webhook keys of a kind now (current, and one in its grace); undefined: no such site. */
export type SiteKeys = (siteId: string, kind: WebhookKind) => Promise<string[] | undefined>;

/** The per-site webhooks: each signed with the site's own key of its kind. */
export const SITE_WEBHOOK_ROUTES: Record<string, WebhookKind> = {
  'POST /webhooks/generic/{siteId}': 'generic',
  'POST /webhooks/wordpress/{siteId}': 'wordpress',
  'POST /webhooks/ghost/{siteId}': 'ghost',
};

/** Each kind's reader with a given key: the same checks, in the same order, as the default's. */
function readWithKey(
  kind: WebhookKind,
  key: string,
  headers: WebhookHeaders,
  body: Buffer,
  now: Date,
): { deliveryId: string; change: ArticleChange } {
  if (kind === 'wordpress') return readWordPressWebhook(key, headers, body, now);
  if (kind === 'ghost') return readGhostWebhook(key, headers, body, now);
  const { deliveryId, article } = readGenericWebhook(key, headers, body, now);
  return { deliveryId, change: { article } };
}

/**
 * The change as the site's: its article or withdrawal names the site (so it is a
 * different article from another site's with the same id in its CMS), and its delivery
 * id too (two sites' CMSs may number their deliveries alike). The default site's stays
 * as `/webhooks/<kind>` reads it, so both endpoints know the same articles.
 */
function forSite(
  siteId: string,
  read: { deliveryId: string; change: ArticleChange },
): { deliveryId: string; change: ArticleChange } {
  if (siteId === DEFAULT_SITE_ID) return read;
  const { deliveryId, change } = read;
  return {
    deliveryId: `${siteId}/${deliveryId}`,
    change:
      'article' in change
        ? { article: { ...change.article, siteId } }
        : { withdrawal: { ...change.withdrawal, siteId } },
  };
}

async function readSiteDelivery(
  kind: WebhookKind,
  siteKeys: SiteKeys,
  event: ReturnType<typeof httpEventSchema.parse>,
  now: Date,
): Promise<WebhookDelivery> {
  const siteId = event.pathParameters?.siteId ?? '';
  const keys = /^[a-z0-9][a-z0-9-]{0,62}$/.test(siteId) ? await siteKeys(siteId, kind) : undefined;
  if (!keys) throw new NotFoundError(`No site ${siteId}`);
  const body = rawBody(event);
  let refusal: unknown = new UnauthorizedError(`The site has no ${kind} webhook key`);
  for (const key of keys) {
    try {
      const read = readWithKey(kind, key, event.headers, body, now);
      return { source: kind, ...forSite(siteId, read) };
    } catch (error) {
      // Another key may have signed it; anything but a bad signature is the answer.
      if (!(error instanceof UnauthorizedError) || error.message.startsWith('Missing')) throw error;
      refusal = error;
    }
  }
  throw refusal;
}

/**
 * Reads an API Gateway event as a webhook delivery, or throws the error to answer with:
 * a NotFoundError for a route no CMS posts to or an unknown site, the reader's own for a
 * bad signature or body.
 */
export function webhookReader(
  secrets: WebhookSecrets,
  siteKeys: SiteKeys = async () => undefined,
  clock: { now(): Date } = { now: () => new Date() },
): (input: unknown) => Promise<WebhookDelivery> {
  const byRoute = readers(secrets);
  return async (input) => {
    const event = httpEventSchema.parse(input);
    const siteKind = Object.hasOwn(SITE_WEBHOOK_ROUTES, event.routeKey)
      ? SITE_WEBHOOK_ROUTES[event.routeKey]
      : undefined;
    if (siteKind) return readSiteDelivery(siteKind, siteKeys, event, clock.now());
    const reader = Object.hasOwn(byRoute, event.routeKey) ? byRoute[event.routeKey] : undefined;
    if (!reader) throw new NotFoundError(`No webhook at ${event.routeKey}`);
    const { deliveryId, change } = reader.read(event.headers, rawBody(event));
    return { source: reader.source, deliveryId, change };
  };
}

/** What a log line says of a change: the CMS's id, its revision, and a withdrawal's status. */
export function changeSummary(change: ArticleChange): {
  sourceId: string;
  revision: number;
  withdrawal: string | undefined;
} {
  return 'article' in change
    ? {
        sourceId: change.article.sourceId,
        revision: change.article.revision,
        withdrawal: undefined,
      }
    : {
        sourceId: change.withdrawal.sourceId,
        revision: change.withdrawal.revision,
        withdrawal: change.withdrawal.status,
      };
}
