/**
 * grammy's Bot API client for one call, the call's deadline around each request, the
 * token kept out of every message Crier words, and what the post, withdraw and metrics
 * calls read alike from Telegram (a message's remote id, a refusal, a flood-control wait).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Api, type GrammyError } from 'grammy';
import * as z from 'zod';
import { DeadlineError, settleBefore } from '../transport';
import type { TelegramCredentials } from './credentials';

export type Sent = { ok: true; answer: unknown } | { ok: false; error: unknown };

/**
 * Settles with `send()`, or with a DeadlineError the moment `deadline` aborts (nothing is
 * sent once it has). grammy's Node typings want the `abort-controller` polyfill's
 * AbortSignal, not the platform's, so the deadline cannot be handed to it; its own
 * `timeoutSeconds` (set just past the deadline) then aborts the request left behind.
 */
export async function attempt(send: () => Promise<unknown>, deadline: AbortSignal): Promise<Sent> {
  const passed = () => new DeadlineError('deadline passed');
  if (deadline.aborted) return { ok: false, error: passed() };
  try {
    return { ok: true, answer: await settleBefore(send(), deadline, passed) };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * One connection per call. grammy keeps connections alive by default, and a post written
 * to one the server has just closed fails as ECONNRESET: on a network that cannot be
 * reconciled, that would park a share that was never sent.
 */
const agents = {
  http: new HttpAgent({ keepAlive: false }),
  https: new HttpsAgent({ keepAlive: false }),
};

export function apiFor(credentials: TelegramCredentials, timeoutMs: number): Api {
  return new Api(credentials.botToken, {
    ...(credentials.apiRoot ? { apiRoot: credentials.apiRoot } : {}),
    baseFetchConfig: { agent: credentials.apiRoot ? agents.http : agents.https },
    timeoutSeconds: Math.ceil(timeoutMs / 1000) + 1,
  });
}

/** Telegram's words never hold the token, but a message must not even by accident. */
export function redact(text: string, credentials: TelegramCredentials): string {
  const secret = credentials.botToken.split(':')[1] ?? credentials.botToken;
  return text.split(credentials.botToken).join('<token>').split(secret).join('<token>');
}

/** `<chat id>/<message id>`, the remote id a published share records. */
export const REMOTE_ID = /^(-?\d+)\/(\d+)$/;

/** Telegram's flood control counts per minute: a 429 without retry_after waits the minute out. */
const DEFAULT_RATE_WAIT_MS = 60_000;
const retryAfterSchema = z.object({ retry_after: z.number().nonnegative().optional() });

/** Telegram's refusal of `method`, in the words a share's error shows (no token in them). */
export function answered(
  error: GrammyError,
  method: string,
  credentials: TelegramCredentials,
): string {
  return redact(
    `Telegram answered ${error.error_code} to ${method}: ${error.description}`,
    credentials,
  );
}

/** When a 429 lets the bot call again: after its retry_after, else after the minute. */
export function floodUntil(error: GrammyError): string {
  const parameters = retryAfterSchema.safeParse(error.parameters);
  const seconds = parameters.success ? parameters.data.retry_after : undefined;
  const wait = seconds !== undefined ? seconds * 1000 : DEFAULT_RATE_WAIT_MS;
  return new Date(Date.now() + wait).toISOString();
}
