/**
 * The Telegram sandbox's in-memory model: the bot and its token, the channels with their
 * memberships, messages and flood-control log, photos by file_id, and the 429 window.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logger';
import type { SandboxContext } from '../types';
import { fail, integerParam, type Params, type Reply, stringParam } from './http';
import type { Entity, Formatted, LengthUnit } from './text';

export type TelegramSandboxOptions = {
  /** how late the `slow` fault answers */
  slowMs?: number;
  /** messages per minute in one channel before flood control answers 429 (the FAQ's 20) */
  messagesPerMinute?: number;
  /** how the 4,096 and 1,024 limits count (unconfirmed; see text.ts) */
  lengthUnit?: LengthUnit;
  /** the sandbox's clock (message dates, the 48-hour delete window, flood control) */
  clock?: () => number;
};

export type SandboxChannel = { id: number; title: string; username?: string };

export type LinkPreview = {
  is_disabled?: boolean;
  url?: string;
  prefer_small_media?: boolean;
  prefer_large_media?: boolean;
  show_above_text?: boolean;
};

/** A message as the sandbox keeps it, photo URL included (GET /sandbox/posts has no room). */
export type SandboxMessage = {
  remoteId: string;
  chatId: number;
  messageId: number;
  kind: 'text' | 'photo';
  /** the text, or the photo's caption, as a reader sees it */
  text: string;
  entities: Entity[];
  linkPreview?: LinkPreview;
  photo?: { url?: string; fileId: string; mimeType: string; bytes: number };
  replyTo?: number;
  /** Unix seconds, as Telegram dates its messages */
  date: number;
  editDate?: number;
  receivedAt: string;
};

export const PLATFORM = 'telegram';
export const MAX_MESSAGE_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** bots upload at most 50 MB */
export const MAX_BODY_BYTES = 50 * 1024 * 1024;
export const DELETE_WINDOW_MS = 48 * 60 * 60_000;
export const FLOOD_WINDOW_MS = 60_000;

export type Membership = 'poster' | 'admin-without-post' | 'none';

export type Chat = SandboxChannel & {
  membership: Membership;
  nextMessageId: number;
  messages: Map<number, SandboxMessage>;
  /** when each message of the last minute was sent, for flood control */
  sent: number[];
};

export type Bot = { id: number; username: string; firstName: string; token: string };

export type Photo = NonNullable<SandboxMessage['photo']>;

/** One Bot API call, as the Telegram methods see it. */
export type Exchange = {
  req: IncomingMessage;
  res: ServerResponse;
  params: Params;
  method: string;
};

export type Draft = {
  chat: Chat;
  kind: SandboxMessage['kind'];
  formatted: Formatted;
  linkPreview?: LinkPreview;
  photo?: Photo;
  replyTo?: number;
};

/** A channel id as Telegram gives them: -100 and ten digits. */
const channelId = () => -(1_000_000_000_000 + randomInt(1_000_000_000, 2_000_000_000));

export const isReply = (value: Chat | Reply): value is Reply => 'kind' in value;

export class TelegramState {
  readonly clock: () => number;
  readonly slowMs: number;
  readonly perMinute: number;
  readonly unit: LengthUnit;
  readonly requestLog: string[] = [];
  readonly bot: Bot;
  /** after a 429, the bot's creates are refused until then */
  rateLimitedUntil = 0;
  readonly chats: Record<'newsroom' | 'private' | 'readOnly' | 'notMember', Chat>;
  readonly allChats: Chat[];
  readonly photosByFileId = new Map<string, Photo>();
  delay: (ms: number) => Promise<boolean> = async () => false;

  constructor(
    readonly sandbox: SandboxContext,
    readonly log: Logger,
    options: TelegramSandboxOptions,
  ) {
    this.clock = options.clock ?? (() => Date.now());
    this.slowMs = options.slowMs ?? 3_000;
    this.perMinute = options.messagesPerMinute ?? 20;
    this.unit = options.lengthUnit ?? 'code-points';
    const botId = randomInt(7_000_000_000, 8_000_000_000);
    this.bot = {
      id: botId,
      username: 'crier_sandbox_bot',
      firstName: 'Crier (sandbox)',
      // `<bot id>:<35 URL-safe characters>`, as @BotFather hands them out.
      token: `${botId}:AA${randomBytes(25).toString('base64url').slice(0, 33)}`,
    };

    const newChat = (channel: SandboxChannel, membership: Membership): Chat => ({
      ...channel,
      membership,
      nextMessageId: 1,
      messages: new Map(),
      sent: [],
    });
    this.chats = {
      newsroom: newChat({ id: channelId(), title: 'Newsroom', username: 'newsroom' }, 'poster'),
      private: newChat({ id: channelId(), title: 'Newsroom (staff)' }, 'poster'),
      readOnly: newChat(
        { id: channelId(), title: 'Newsroom archive', username: 'newsroom_archive' },
        'admin-without-post',
      ),
      notMember: newChat({ id: channelId(), title: 'Elsewhere', username: 'elsewhere' }, 'none'),
    };
    this.allChats = Object.values(this.chats);
  }

  findChat(value: unknown): Chat | undefined {
    const raw = stringParam(value)?.trim() ?? '';
    if (raw.startsWith('@')) {
      const name = raw.slice(1).toLowerCase();
      return this.allChats.find((c) => c.username?.toLowerCase() === name);
    }
    const id = integerParam(raw);
    // A channel the bot is not in is invisible by id; by username its public face shows.
    return this.allChats.find((c) => c.id === id && c.membership !== 'none');
  }

  /** The chat to act in, or Telegram's refusal. */
  chatFor(params: Params, action: 'read' | 'post'): Chat | Reply {
    const raw = stringParam(params.get('chat_id'))?.trim();
    if (!raw) return fail(400, 'Bad Request: chat_id is empty');
    const chat = this.findChat(raw);
    if (!chat) return fail(400, 'Bad Request: chat not found');
    if (action === 'post' && chat.membership === 'none') {
      return fail(403, 'Forbidden: bot is not a member of the channel chat');
    }
    if (action === 'post' && chat.membership === 'admin-without-post') {
      return fail(400, 'Bad Request: need administrator rights in the channel chat');
    }
    return chat;
  }

  /** How long flood control still holds `chat`, in whole seconds; 0 when it does not. */
  floodWait(chat: Chat, now: number): number {
    chat.sent = chat.sent.filter((at) => at > now - FLOOD_WINDOW_MS);
    const oldest = chat.sent[0];
    if (chat.sent.length < this.perMinute || oldest === undefined) return 0;
    return Math.max(1, Math.ceil((oldest + FLOOD_WINDOW_MS - now) / 1000));
  }
}
