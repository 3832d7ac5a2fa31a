/**
 * `GET /oauth/callback/{platform}`: where a network's consent page sends the admin back.
 * Public (no editor token: the browser arrives from the network); the single-use `state`
 * is what binds the request to the admin who started it. Answers an error page in plain
 * words, or a redirect to the editor UI's channels page. Never logs the code or a token.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { connectDeps } from '../shared/composition/platforms';
import { httpEventSchema } from '../shared/http/event';
import { logger, withObservability } from '../shared/observability';
import { finishConnect } from '../shared/usecases/connect-channel';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(status: number, title: string, message: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'referrer-policy': 'no-referrer',
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:36em;margin:4em auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`,
  };
}

export const handler = withObservability(async (input: unknown) => {
  const event = httpEventSchema.safeParse(input);
  if (!event.success) return page(400, 'Bad request', 'This request cannot be read.');
  const platform = event.data.pathParameters?.platform ?? '';
  const query = event.data.queryStringParameters ?? {};
  try {
    const outcome = await finishConnect(connectDeps(), platform, query);
    if (outcome.kind === 'page') {
      logger.info('Connect refused', { platform, status: outcome.status });
      return page(outcome.status, outcome.title, outcome.message);
    }
    logger.info('Connect finished', {
      platform,
      channelId: outcome.channelId,
      outcome: outcome.outcome,
    });
    return {
      statusCode: 302,
      headers: {
        location: outcome.location,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      },
    };
  } catch (error) {
    // The name only: a network's error may quote what was sent.
    logger.error('Connect failed', {
      platform,
      error: error instanceof Error ? error.name : 'unknown',
    });
    return page(
      500,
      'Something went wrong',
      'The connection could not be finished. Start again with Connect on the channel page.',
    );
  }
});
