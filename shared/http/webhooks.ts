/**
 * The CMS webhooks' HTTP side: `POST /webhooks/generic`, `/webhooks/wordpress` and
 * `/webhooks/ghost`, each verified and read from its headers and raw body by its own
 * reader (shared/ingest). functions/ingest-webhook.ts stores what they read.
 */
import type { ArticleChange, ArticleSource } from '../domain/article';
import { DEFAULT_SITE_ID } from '../domain/article';
import { NotFoundError, UnauthorizedError } from '../domain/errors';
import { readGenericWebhook } from '../ingest/generic';
import { readGhostWebhook } from '../ingest/ghost';
import type { WebhookHeaders } from '../ingest/standard-webhooks';
import { readWordPressWebhook } from '../ingest/wordpress';
import { httpEventSchema, rawBody } from './event';

/** The secrets the CMSs sign with: Standard Webhooks (generic, WordPress), and Ghost's own. */
export type WebhookSecrets = { webhook: string; ghost: string };

/** A verified delivery: which CMS sent it, its id for deduplication, and what changed. */
export type WebhookDelivery = {
  source: ArticleSource;
  deliveryId: string;
  change: ArticleChange;
  /** the site whose endpoint it came to; absent: the default site */
  siteId?: string;
};

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

/** A site's webhook keys now (current, and one in its grace); undefined: no such site. */
export type SiteKeys = (siteId: string) => Promise<string[] | undefined>;

/** The per-site generic webhook: the site's own keys, any of which may have signed it. */
export const SITE_WEBHOOK_ROUTE = 'POST /webhooks/generic/{siteId}';

async function readSiteDelivery(
  siteKeys: SiteKeys,
  event: ReturnType<typeof httpEventSchema.parse>,
  now: Date,
): Promise<WebhookDelivery> {
  const siteId = event.pathParameters?.siteId ?? '';
  const keys = /^[a-z0-9][a-z0-9-]{0,62}$/.test(siteId) ? await siteKeys(siteId) : undefined;
  if (!keys) throw new NotFoundError(`No site ${siteId}`);
  const body = rawBody(event);
  let refusal: unknown = new UnauthorizedError('The site has no webhook key');
  for (const key of keys) {
    try {
      const { deliveryId, article } = readGenericWebhook(key, event.headers, body, now);
      return {
        source: 'generic',
        deliveryId,
        siteId,
        change: { article: siteId === DEFAULT_SITE_ID ? article : { ...article, siteId } },
      };
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
    if (event.routeKey === SITE_WEBHOOK_ROUTE)
      return readSiteDelivery(siteKeys, event, clock.now());
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
