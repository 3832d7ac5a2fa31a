/**
 * The CMS webhooks' HTTP side: `POST /webhooks/generic`, `/webhooks/wordpress` and
 * `/webhooks/ghost`, each verified and read from its headers and raw body by its own
 * reader (shared/ingest). functions/ingest-webhook.ts stores what they read.
 */
import type { ArticleChange, ArticleSource } from '../domain/article';
import { NotFoundError } from '../domain/errors';
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

/**
 * Reads an API Gateway event as a webhook delivery, or throws the error to answer with:
 * a NotFoundError for a route no CMS posts to, the reader's own for a bad signature or body.
 */
export function webhookReader(secrets: WebhookSecrets): (input: unknown) => WebhookDelivery {
  const byRoute = readers(secrets);
  return (input) => {
    const event = httpEventSchema.parse(input);
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
