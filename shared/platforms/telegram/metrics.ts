/**
 * A Telegram post's counts: only its reactions, which the Bot API gives a channel's
 * administrator bot as `message_reaction_count` updates (reactions.ts keeps the tally in the
 * channel's session). The total of all reactions is reported as `likes`; Telegram shows bots
 * no views, forwards or comments, so `reposts` and `replies` are 0 and the rest is absent
 * (docs/networks.md, Engagement metrics, Telegram).
 */
import { GrammyError, HttpError } from 'grammy';
import * as z from 'zod';
import type { MetricsCall, MetricsOutcome } from '../client';
import { DeadlineError } from '../transport';
import { answered, apiFor, attempt, floodUntil, REMOTE_ID } from './api';
import { parseTelegramCredentials, type TelegramCredentials } from './credentials';
import { fold, prune, type ReactionTally, sessionOf, tallyFrom } from './reactions';

/** getUpdates pages of 100; a reading folds at most this many before it answers. */
const PAGE = 100;
const MAX_PAGES = 5;
const ALLOWED = ['message_reaction_count'] as const;
const ADMIN = new Set(['administrator', 'creator']);
const memberSchema = z.object({ status: z.string() });

function failure(
  error: unknown,
  method: string,
  credentials: TelegramCredentials,
  timeoutMs: number,
): MetricsOutcome {
  if (error instanceof GrammyError) {
    const message = answered(error, method, credentials);
    const code = error.error_code;
    if (code === 401) return { kind: 'auth', message };
    if (code === 403) return { kind: 'auth', message, permission: true };
    if (code === 429) return { kind: 'rate', until: floodUntil(error), message };
    if (code === 409 && /webhook/i.test(error.description)) {
      return {
        kind: 'rejected',
        message: `${message}: Crier reads reactions with getUpdates, which Telegram refuses while the bot has a webhook; give the channel a bot of its own, or remove the webhook`,
      };
    }
    // 409 "terminated by other getUpdates request": another reading of the same bot.
    if (code >= 500 || code === 409) return { kind: 'retry', message };
    return { kind: 'rejected', message };
  }
  if (error instanceof DeadlineError) {
    return {
      kind: 'retry',
      message: `No answer from Telegram to ${method} within ${timeoutMs} ms`,
    };
  }
  // Never the error's own text: a request error can carry the URL, token and all.
  const detail =
    error instanceof HttpError
      ? 'the connection failed'
      : error instanceof Error
        ? error.name
        : typeof error;
  return { kind: 'retry', message: `${method} failed to reach Telegram (${detail})` };
}

/** The reading: the message's total, 0 while no reaction has been counted. */
function read(tally: ReactionTally, key: string, before: string | undefined): MetricsOutcome {
  const session = sessionOf(prune(tally));
  return {
    kind: 'read',
    counts: { likes: tally.totals[key]?.[0] ?? 0, reposts: 0, replies: 0 },
    ...(session !== before ? { session } : {}),
  };
}

/**
 * A reading folds updates into the tally that the session holds and stores it again: two
 * readings of one channel at once would each confirm updates the other then lacks. With
 * the channel's gate (`loginGate`) the fold runs alone, starting from the session as
 * stored when the gate opened, and its session is stored before the next one starts.
 */
export async function metrics(call: MetricsCall): Promise<MetricsOutcome> {
  const remote = REMOTE_ID.exec(call.share.remoteId ?? '');
  if (!remote?.[1] || !remote[2]) {
    return { kind: 'rejected', message: 'The share has no Telegram message id to read' };
  }
  const parsed = parseTelegramCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const target = { chatId: remote[1], key: `${remote[1]}/${remote[2]}` };
  const run = (stored: string | undefined) =>
    readReactions(parsed.credentials, target, stored, call.timeoutMs);
  return call.loginGate ? call.loginGate.exclusive(run) : run(call.session);
}

async function readReactions(
  credentials: TelegramCredentials,
  { chatId, key }: { chatId: string; key: string },
  stored: string | undefined,
  timeoutMs: number,
): Promise<MetricsOutcome> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const api = apiFor(credentials, timeoutMs);
  const failed = (error: unknown, method: string) => failure(error, method, credentials, timeoutMs);

  let tally = tallyFrom(stored);
  for (let page = 0; page < MAX_PAGES; page++) {
    // Asking with this offset also confirms every update before it: Telegram drops them.
    const got = await attempt(
      () =>
        api.getUpdates({
          offset: tally.offset,
          limit: PAGE,
          timeout: 0,
          allowed_updates: [...ALLOWED],
        }),
      deadline,
    );
    if (!got.ok) {
      // Pages already folded are confirmed on Telegram's side: keep them.
      return page === 0 ? failed(got.error, 'getUpdates') : read(tally, key, stored);
    }
    const next = fold(tally, got.answer);
    if (!next)
      return { kind: 'retry', message: 'Telegram answered getUpdates in an unknown shape' };
    const seen = next.offset - tally.offset;
    tally = next;
    if (!Array.isArray(got.answer) || got.answer.length < PAGE || seen === 0) break;
  }

  // No reaction counted yet: make sure the bot is an administrator, or none will ever come.
  if (!tally.totals[key]) {
    const botId = Number(credentials.botToken.split(':')[0]);
    const member = await attempt(() => api.getChatMember(chatId, botId), deadline);
    // What was folded is kept whatever this answers: Telegram may have dropped it already.
    const session = sessionOf(prune(tally));
    const keep = session !== stored ? { session } : {};
    if (!member.ok) return { ...failed(member.error, 'getChatMember'), ...keep };
    const status = memberSchema.safeParse(member.answer);
    if (status.success && !ADMIN.has(status.data.status)) {
      return {
        ...keep,
        kind: 'rejected',
        message: `The bot is not an administrator of the channel (${status.data.status}): Telegram sends reaction counts only to administrators`,
      };
    }
  }
  return read(tally, key, stored);
}
