/**
 * The who-am-I checks that go through a network's client library (twitter-api-v2,
 * @atproto/api, masto, grammy), and what those libraries' errors say. verify.ts loads
 * this module only when one of these checks runs.
 */
import { AtpAgent, XRPCError } from '@atproto/api';
import { Api as TelegramApi } from 'grammy';
import { MastoHttpError } from 'masto';
import { ApiResponseError } from 'twitter-api-v2';
import { parseBlueskyCredentials } from './bluesky/credentials';
import { restClient } from './mastodon/api';
import { parseMastodonCredentials } from './mastodon/credentials';
import { parseTelegramCredentials } from './telegram/credentials';
import { type Check, refused, TIMEOUT_MS } from './verify';
import { apiFor } from './x/api';
import { parseXCredentials } from './x/credentials';

const x: Check = async (input, signal) => {
  const parsed = parseXCredentials(input);
  if (!parsed.ok) return { ok: false, kind: 'invalid', reason: parsed.message };
  const me = await apiFor(parsed.credentials, signal).v2.me();
  return { ok: true, account: `@${me.data.username}`, credentials: parsed.credentials };
};

const bluesky: Check = async (input) => {
  const parsed = parseBlueskyCredentials(input);
  if (!parsed.ok) return { ok: false, kind: 'invalid', reason: parsed.message };
  const agent = new AtpAgent({ service: parsed.credentials.service });
  const session = await agent.login({
    identifier: parsed.credentials.identifier,
    password: parsed.credentials.password,
  });
  return { ok: true, account: session.data.handle, credentials: parsed.credentials };
};

const mastodon: Check = async (input) => {
  const parsed = parseMastodonCredentials(input);
  if (!parsed.ok) return { ok: false, kind: 'invalid', reason: parsed.message };
  const account = await restClient(parsed.credentials, TIMEOUT_MS).v1.accounts.verifyCredentials();
  return { ok: true, account: `@${account.acct}`, credentials: parsed.credentials };
};

/** The bot, and its place in the channel: an administrator that may post, or the creator. */
const telegram: Check = async (input) => {
  const parsed = parseTelegramCredentials(input);
  if (!parsed.ok) return { ok: false, kind: 'invalid', reason: parsed.message };
  const { botToken, apiRoot, chatId } = parsed.credentials;
  const api = new TelegramApi(botToken, {
    ...(apiRoot ? { apiRoot } : {}),
    timeoutSeconds: TIMEOUT_MS / 1000,
  });
  const me = await api.getMe();
  const member = await api.getChatMember(chatId, me.id);
  const mayPost =
    member.status === 'creator' ||
    (member.status === 'administrator' && member.can_post_messages !== false);
  if (!mayPost) {
    return refused(
      `Telegram: the bot @${me.username} is ${member.status} in ${chatId}, not an administrator allowed to post`,
    );
  }
  return { ok: true, account: `@${me.username}`, credentials: parsed.credentials };
};

export const LIBRARY_CHECKS = { x, bluesky, mastodon, telegram } as const;

/** The network's answer carried by one of these libraries' errors; undefined for any other error. */
export function libraryRefusal(network: string, error: unknown): string | undefined {
  if (error instanceof ApiResponseError) {
    const data = error.data as { detail?: unknown; title?: unknown };
    const detail = typeof data?.detail === 'string' ? data.detail : data?.title;
    return `${network} answered ${error.code}${typeof detail === 'string' ? `: ${detail}` : ''}`;
  }
  if (error instanceof XRPCError) {
    return `${network} answered ${error.status}${error.error ? ` ${error.error}` : ''}: ${error.message}`;
  }
  if (error instanceof MastoHttpError) {
    return `${network} answered ${error.statusCode}: ${error.message}`;
  }
  return undefined;
}
