/**
 * A loopback Telegram Bot API that grammy talks to unchanged (its `apiRoot` pointed here):
 * one bot, a few channels, `/bot<token>/<method>` for getMe, getChat, sendMessage,
 * sendPhoto, editMessageText, editMessageCaption, deleteMessage and getUpdates (reaction
 * counts from the audience model, updates.ts), with Telegram's answers
 * and error descriptions, its per-channel flood control, and the fault knobs played on
 * sendMessage and sendPhoto (docs/networks.md, Telegram; docs/architecture.md, sandbox faults). It never
 * fetches a photo URL it is given: it records it.
 * The model is in state.ts, the answers' shapes in serialize.ts, the methods in routes.ts.
 */
import { startServer } from '../kit/server';
import type { RunningSandbox, SandboxContext, SandboxFactory } from '../types';
import { fail, send } from './http';
import { handle } from './routes';
import {
  type Chat,
  PLATFORM,
  type SandboxChannel,
  type SandboxMessage,
  type TelegramSandboxOptions,
  TelegramState,
} from './state';

export type {
  LinkPreview,
  SandboxChannel,
  SandboxMessage,
  TelegramSandboxOptions,
} from './state';

export type TelegramSandbox = RunningSandbox & {
  bot: { id: number; username: string };
  /**
   * The channels the sandbox knows: `newsroom` (public, the bot posts; the credentials'
   * chat), `private` (no username, the bot posts), `readOnly` (the bot is an admin
   * without "Post messages") and `notMember` (public, the bot is not in it).
   */
  channels: Record<'newsroom' | 'private' | 'readOnly' | 'notMember', SandboxChannel>;
  messages(): SandboxMessage[];
  /** the Bot API methods called, in order (never the token) */
  requests(): string[];
};

const publicChannel = ({ id, title, username }: Chat): SandboxChannel => ({
  id,
  title,
  ...(username ? { username } : {}),
});

export async function launchTelegramSandbox(
  context: SandboxContext,
  options: TelegramSandboxOptions = {},
): Promise<TelegramSandbox> {
  const log = context.log.child({ sandbox: PLATFORM });
  const state = new TelegramState(context, log, options);
  const server = await startServer({
    handle: (req, res) => handle(state, req, res, server.closing),
    failed(error, _req, res) {
      log.error('sandbox.telegram.error', { error });
      send(res, fail(500, 'Internal Server Error'));
    },
  });
  state.delay = server.delay;
  const { bot, chats } = state;
  const account = `@${chats.newsroom.username}`;
  log.debug('sandbox.telegram.started', { url: server.url, account });

  return {
    platform: PLATFORM,
    url: server.url,
    account,
    credentials: { botToken: bot.token, chatId: account, apiRoot: server.url },
    bot: { id: bot.id, username: bot.username },
    channels: {
      newsroom: publicChannel(chats.newsroom),
      private: publicChannel(chats.private),
      readOnly: publicChannel(chats.readOnly),
      notMember: publicChannel(chats.notMember),
    },
    messages: () =>
      state.allChats
        .flatMap((chat) => [...chat.messages.values()])
        .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.messageId - b.messageId)
        .map((m): SandboxMessage => structuredClone(m)),
    requests: () => [...state.requestLog],
    async stop() {
      if (await server.stop()) log.info('sandbox.telegram.stopped', {});
    },
  };
}

export const startTelegramSandbox: SandboxFactory = (context) => launchTelegramSandbox(context);
