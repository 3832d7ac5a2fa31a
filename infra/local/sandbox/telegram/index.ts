/**
 * A loopback Telegram Bot API that grammy talks to unchanged (its `apiRoot` pointed here):
 * one bot, a few channels, `/bot<token>/<method>` for getMe, getChat, sendMessage,
 * sendPhoto, editMessageText, editMessageCaption and deleteMessage, with Telegram's answers
 * and error descriptions, its per-channel flood control, and the fault knobs played on
 * sendMessage and sendPhoto (docs/networks.md, Telegram; docs/architecture.md, sandbox faults). It never
 * fetches a photo URL it is given: it records it.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Fault, POST_FAULTS } from '../faults';
import { listenOnLoopback } from '../kit/loopback';
import type { RunningSandbox, SandboxContext, SandboxFactory } from '../types';
import {
  BodyTooLargeError,
  fail,
  integerParam,
  isUpload,
  jsonParam,
  ok,
  type Params,
  parseParams,
  type Reply,
  readBody,
  send,
  stringParam,
} from './http';
import {
  type Entity,
  EntityParseError,
  type Formatted,
  firstUrl,
  type LengthUnit,
  lengthOf,
  parseHtml,
  trimmed,
  withDetected,
} from './text';

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

const PLATFORM = 'telegram';
const MAX_MESSAGE_LENGTH = 4096;
const MAX_CAPTION_LENGTH = 1024;
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** bots upload at most 50 MB */
const MAX_BODY_BYTES = 50 * 1024 * 1024;
const DELETE_WINDOW_MS = 48 * 60 * 60_000;
const FLOOD_WINDOW_MS = 60_000;
const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
// What nginx in front of the Bot API answers when it has no upstream; grammy cannot read it.
const SERVICE_UNAVAILABLE_PAGE =
  '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

type Membership = 'poster' | 'admin-without-post' | 'none';

type Chat = SandboxChannel & {
  membership: Membership;
  nextMessageId: number;
  messages: Map<number, SandboxMessage>;
  /** when each message of the last minute was sent, for flood control */
  sent: number[];
};

type Bot = { id: number; username: string; firstName: string; token: string };

type Photo = NonNullable<SandboxMessage['photo']>;

type Exchange = { req: IncomingMessage; params: Params; method: string };

type Draft = {
  chat: Chat;
  kind: SandboxMessage['kind'];
  formatted: Formatted;
  linkPreview?: LinkPreview;
  photo?: Photo;
  replyTo?: number;
};

const tooManyRequests = (seconds: number): Reply =>
  fail(429, `Too Many Requests: retry after ${seconds}`, { retry_after: seconds });

/** A channel id as Telegram gives them: -100 and ten digits. */
const channelId = () => -(1_000_000_000_000 + randomInt(1_000_000_000, 2_000_000_000));

function publicUrl(chat: SandboxChannel, messageId: number): string {
  return chat.username
    ? `https://t.me/${chat.username}/${messageId}`
    : `https://t.me/c/${String(chat.id).replace(/^-100/, '')}/${messageId}`;
}

function chatJson(chat: SandboxChannel) {
  return {
    id: chat.id,
    title: chat.title,
    ...(chat.username ? { username: chat.username } : {}),
    type: 'channel',
  };
}

/**
 * The sizes Telegram makes of a photo. The sandbox never fetches the image, so it cannot
 * know them: these are a 16:9 photo's.
 */
function photoSizes(fileId: string) {
  return [
    [90, 51],
    [320, 180],
    [800, 450],
    [1280, 720],
  ].map(([width, height], index) => ({
    file_id: `${fileId}${index}`,
    file_unique_id: `${fileId.slice(0, 12)}${index}`,
    width,
    height,
  }));
}

function messageJson(chat: Chat, message: SandboxMessage) {
  const { text, entities } = message;
  return {
    message_id: message.messageId,
    sender_chat: chatJson(chat),
    chat: chatJson(chat),
    date: message.date,
    ...(message.editDate ? { edit_date: message.editDate } : {}),
    ...(message.replyTo
      ? {
          reply_to_message: {
            message_id: message.replyTo,
            chat: chatJson(chat),
            date: chat.messages.get(message.replyTo)?.date ?? message.date,
          },
        }
      : {}),
    ...(message.kind === 'text'
      ? {
          text,
          ...(entities.length ? { entities } : {}),
          ...(message.linkPreview ? { link_preview_options: message.linkPreview } : {}),
        }
      : {
          photo: photoSizes(message.photo?.fileId ?? ''),
          ...(text ? { caption: text } : {}),
          ...(entities.length ? { caption_entities: entities } : {}),
        }),
  };
}

/** The preview options as given, or Telegram's default: the first link, below the text. */
function previewOf(given: LinkPreview | undefined, formatted: Formatted): LinkPreview | undefined {
  if (given?.is_disabled) return { is_disabled: true };
  const url = given?.url || firstUrl(formatted);
  if (!url) return undefined;
  return {
    url,
    ...(given?.prefer_small_media ? { prefer_small_media: true } : {}),
    ...(given?.prefer_large_media ? { prefer_large_media: true } : {}),
    ...(given?.show_above_text ? { show_above_text: true } : {}),
  };
}

const PREVIEW_KEYS = [
  'is_disabled',
  'url',
  'prefer_small_media',
  'prefer_large_media',
  'show_above_text',
];

function parsePreview(value: unknown): { ok: true; preview?: LinkPreview } | { ok: false } {
  const parsed = jsonParam(value);
  if (!parsed.ok) return { ok: false };
  const raw = parsed.value;
  if (raw === undefined) return { ok: true };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false };
  const preview: LinkPreview = {};
  for (const [key, entry] of Object.entries(raw)) {
    if (!PREVIEW_KEYS.includes(key)) continue;
    if (key === 'url') {
      if (typeof entry !== 'string') return { ok: false };
      preview.url = entry;
    } else if (typeof entry !== 'boolean') {
      return { ok: false };
    } else if (key === 'is_disabled') preview.is_disabled = entry;
    else if (key === 'prefer_small_media') preview.prefer_small_media = entry;
    else if (key === 'prefer_large_media') preview.prefer_large_media = entry;
    else preview.show_above_text = entry;
  }
  return { ok: true, preview };
}

function parseEntities(value: unknown): Entity[] | undefined {
  const parsed = jsonParam(value);
  if (!parsed.ok || !Array.isArray(parsed.value)) return undefined;
  const entities: Entity[] = [];
  for (const item of parsed.value) {
    if (typeof item !== 'object' || item === null) return undefined;
    const fields = Object.fromEntries(Object.entries(item));
    const { type, offset, length } = fields;
    if (
      typeof type !== 'string' ||
      typeof offset !== 'number' ||
      typeof length !== 'number' ||
      !Number.isInteger(offset) ||
      !Number.isInteger(length)
    ) {
      return undefined;
    }
    entities.push({ ...fields, type, offset, length });
  }
  return entities;
}

export async function launchTelegramSandbox(
  context: SandboxContext,
  options: TelegramSandboxOptions = {},
): Promise<TelegramSandbox> {
  const log = context.log.child({ sandbox: PLATFORM });
  const clock = options.clock ?? Date.now;
  const slowMs = options.slowMs ?? 3_000;
  const perMinute = options.messagesPerMinute ?? 20;
  const unit = options.lengthUnit ?? 'code-points';
  const closing = new AbortController();
  const requestLog: string[] = [];

  const botId = randomInt(7_000_000_000, 8_000_000_000);
  const bot: Bot = {
    id: botId,
    username: 'crier_sandbox_bot',
    firstName: 'Crier (sandbox)',
    // `<bot id>:<35 URL-safe characters>`, as @BotFather hands them out.
    token: `${botId}:AA${randomBytes(25).toString('base64url').slice(0, 33)}`,
  };
  /** after a 429, the bot's creates are refused until then */
  let rateLimitedUntil = 0;

  const newChat = (channel: SandboxChannel, membership: Membership): Chat => ({
    ...channel,
    membership,
    nextMessageId: 1,
    messages: new Map(),
    sent: [],
  });
  const chats = {
    newsroom: newChat({ id: channelId(), title: 'Newsroom', username: 'newsroom' }, 'poster'),
    private: newChat({ id: channelId(), title: 'Newsroom (staff)' }, 'poster'),
    readOnly: newChat(
      { id: channelId(), title: 'Newsroom archive', username: 'newsroom_archive' },
      'admin-without-post',
    ),
    notMember: newChat({ id: channelId(), title: 'Elsewhere', username: 'elsewhere' }, 'none'),
  };
  const allChats: Chat[] = Object.values(chats);
  const photosByFileId = new Map<string, Photo>();

  // --- chats and messages ---

  function findChat(value: unknown): Chat | undefined {
    const raw = stringParam(value)?.trim() ?? '';
    if (raw.startsWith('@')) {
      const name = raw.slice(1).toLowerCase();
      return allChats.find((c) => c.username?.toLowerCase() === name);
    }
    const id = integerParam(raw);
    // A channel the bot is not in is invisible by id; by username its public face shows.
    return allChats.find((c) => c.id === id && c.membership !== 'none');
  }

  /** The chat to act in, or Telegram's refusal. */
  function chatFor(params: Params, action: 'read' | 'post'): Chat | Reply {
    const raw = stringParam(params.get('chat_id'))?.trim();
    if (!raw) return fail(400, 'Bad Request: chat_id is empty');
    const chat = findChat(raw);
    if (!chat) return fail(400, 'Bad Request: chat not found');
    if (action === 'post' && chat.membership === 'none') {
      return fail(403, 'Forbidden: bot is not a member of the channel chat');
    }
    if (action === 'post' && chat.membership === 'admin-without-post') {
      return fail(400, 'Bad Request: need administrator rights in the channel chat');
    }
    return chat;
  }

  const isReply = (value: Chat | Reply): value is Reply => 'kind' in value;

  /** A text or caption as Telegram makes it: parsed, trimmed, its own entities found. */
  function format(text: string, params: Params, entitiesKey: string): Formatted | Reply {
    const mode = stringParam(params.get('parse_mode')) ?? '';
    let formatted: Formatted;
    if (mode === '') {
      const given = params.has(entitiesKey) ? parseEntities(params.get(entitiesKey)) : [];
      if (!given) return fail(400, `Bad Request: can't parse ${entitiesKey} JSON object`);
      formatted = { text, entities: given };
    } else if (mode.toLowerCase() === 'html') {
      try {
        formatted = parseHtml(text);
      } catch (error) {
        if (!(error instanceof EntityParseError)) throw error;
        return fail(400, `Bad Request: can't parse entities: ${error.message}`);
      }
    } else if (/^markdown(v2)?$/i.test(mode)) {
      // Telegram parses these too; the sandbox does not, and says so rather than guess.
      return fail(400, `Bad Request: can't parse entities: the sandbox does not parse ${mode}`);
    } else {
      return fail(400, 'Bad Request: unsupported parse_mode');
    }
    return withDetected(trimmed(formatted));
  }

  /** How long flood control still holds `chat`, in whole seconds; 0 when it does not. */
  function floodWait(chat: Chat, now: number): number {
    chat.sent = chat.sent.filter((at) => at > now - FLOOD_WINDOW_MS);
    const oldest = chat.sent[0];
    if (chat.sent.length < perMinute || oldest === undefined) return 0;
    return Math.max(1, Math.ceil((oldest + FLOOD_WINDOW_MS - now) / 1000));
  }

  function record(message: SandboxMessage, chat: Chat): void {
    const preview = message.linkPreview;
    context.posts.add({
      platform: PLATFORM,
      remoteId: message.remoteId,
      inReplyToId: message.replyTo ? `${chat.id}/${message.replyTo}` : null,
      text: message.text,
      account: chat.username ? `@${chat.username}` : String(chat.id),
      url: publicUrl(chat, message.messageId),
      receivedAt: message.receivedAt,
      ...(preview?.url ? { card: { url: preview.url } } : {}),
      // Telegram stores every photo as a JPEG; the bytes of a URL it never fetched are unknown.
      ...(message.photo
        ? { media: [{ mimeType: message.photo.mimeType, bytes: message.photo.bytes }] }
        : {}),
    });
  }

  function commit(draft: Draft, now: number): SandboxMessage {
    const { chat } = draft;
    const messageId = chat.nextMessageId++;
    const message: SandboxMessage = {
      remoteId: `${chat.id}/${messageId}`,
      chatId: chat.id,
      messageId,
      kind: draft.kind,
      text: draft.formatted.text,
      entities: draft.formatted.entities,
      ...(draft.linkPreview ? { linkPreview: draft.linkPreview } : {}),
      ...(draft.photo ? { photo: draft.photo } : {}),
      ...(draft.replyTo ? { replyTo: draft.replyTo } : {}),
      date: Math.floor(now / 1000),
      receivedAt: new Date(now).toISOString(),
    };
    chat.messages.set(messageId, message);
    chat.sent.push(now);
    if (draft.photo) photosByFileId.set(draft.photo.fileId, draft.photo);
    record(message, chat);
    log.info('sandbox.telegram.post', { remoteId: message.remoteId, kind: message.kind });
    return message;
  }

  // --- creates: sendMessage and sendPhoto ---

  function replyTarget(params: Params, chat: Chat): number | undefined | Reply {
    const parsed = jsonParam(params.get('reply_parameters'));
    const raw: unknown = parsed.ok ? parsed.value : undefined;
    const fromParameters =
      typeof raw === 'object' && raw !== null && 'message_id' in raw ? raw.message_id : undefined;
    const id = integerParam(fromParameters ?? params.get('reply_to_message_id'));
    if (id === undefined) return undefined;
    return chat.messages.has(id) ? id : fail(400, 'Bad Request: message to be replied not found');
  }

  function textDraft(params: Params): Draft | Reply {
    const text = stringParam(params.get('text'));
    if (!stringParam(params.get('chat_id'))?.trim()) {
      return fail(400, 'Bad Request: chat_id is empty');
    }
    if (text === undefined) return fail(400, 'Bad Request: message text is empty');
    const chat = chatFor(params, 'post');
    if (isReply(chat)) return chat;
    const formatted = format(text, params, 'entities');
    if ('kind' in formatted) return formatted;
    if (formatted.text === '') return fail(400, 'Bad Request: message text is empty');
    if (lengthOf(formatted.text, unit) > MAX_MESSAGE_LENGTH) {
      return fail(400, 'Bad Request: message is too long');
    }
    const preview = parsePreview(params.get('link_preview_options'));
    if (!preview.ok) return fail(400, "Bad Request: can't parse link preview options JSON object");
    const replyTo = replyTarget(params, chat);
    if (typeof replyTo === 'object') return replyTo;
    const linkPreview = previewOf(preview.preview, formatted);
    return {
      chat,
      kind: 'text',
      formatted,
      ...(linkPreview ? { linkPreview } : {}),
      ...(replyTo ? { replyTo } : {}),
    };
  }

  /** The photo as Telegram gets it: an upload, a URL it would fetch, or a known file_id. */
  function photoOf(value: unknown): Photo | Reply {
    const fileId = `AgACAgQAAxkDAAI${randomBytes(24).toString('base64url')}`;
    if (isUpload(value)) {
      if (!value.mimeType.startsWith('image/')) {
        return fail(400, 'Bad Request: IMAGE_PROCESS_FAILED');
      }
      if (value.bytes > MAX_PHOTO_BYTES) return fail(400, 'Bad Request: file is too big');
      return { fileId, mimeType: 'image/jpeg', bytes: value.bytes };
    }
    const raw = stringParam(value)?.trim() ?? '';
    if (/^https?:\/\/[^\s/]+/i.test(raw)) {
      return { url: raw, fileId, mimeType: 'image/jpeg', bytes: 0 };
    }
    const known = photosByFileId.get(raw);
    if (known) return known;
    return fail(400, 'Bad Request: wrong file identifier/HTTP URL specified');
  }

  function photoDraft(params: Params): Draft | Reply {
    if (!stringParam(params.get('chat_id'))?.trim()) {
      return fail(400, 'Bad Request: chat_id is empty');
    }
    const given = params.get('photo');
    if (given === undefined || given === '') {
      return fail(400, 'Bad Request: there is no photo in the request');
    }
    const chat = chatFor(params, 'post');
    if (isReply(chat)) return chat;
    const formatted = format(stringParam(params.get('caption')) ?? '', params, 'caption_entities');
    if ('kind' in formatted) return formatted;
    if (lengthOf(formatted.text, unit) > MAX_CAPTION_LENGTH) {
      return fail(400, 'Bad Request: message caption is too long');
    }
    const photo = photoOf(given);
    if ('kind' in photo) return photo;
    const replyTo = replyTarget(params, chat);
    if (typeof replyTo === 'object') return replyTo;
    return { chat, kind: 'photo', formatted, photo, ...(replyTo ? { replyTo } : {}) };
  }

  async function create(
    ex: Exchange,
    prepare: (params: Params) => Draft | Reply,
    applicable: readonly Fault[],
  ): Promise<Reply | undefined> {
    const { req, params } = ex;
    const now = clock();
    // While a 429's wait has not passed, every create is refused the same way.
    if (rateLimitedUntil > now) return tooManyRequests(Math.ceil((rateLimitedUntil - now) / 1000));
    const fault = context.faults.pick(PLATFORM, applicable);
    if (fault) log.info('sandbox.telegram.fault', { fault, method: ex.method });
    switch (fault) {
      case 'auth':
      case 'expired-token':
        // Bot tokens do not expire: a revoked one is the plain 401.
        return fail(401, 'Unauthorized');
      case '429':
        rateLimitedUntil = now + context.faults.resetSeconds * 1000;
        return tooManyRequests(Math.ceil(context.faults.resetSeconds));
      case '500':
        return fail(500, 'Internal Server Error');
      case '502':
        return fail(502, 'Bad Gateway');
      case '503':
        return { kind: 'html', status: 503, html: SERVICE_UNAVAILABLE_PAGE };
      case 'download-failed':
        return fail(400, 'Bad Request: failed to get HTTP URL content');
      case 'reset':
        req.socket.destroy();
        return undefined;
      case 'slow':
        await sleep(slowMs, undefined, { signal: closing.signal });
        break;
    }
    const draft = prepare(params);
    if (!('chat' in draft)) return draft;
    const wait = floodWait(draft.chat, clock());
    if (wait > 0) return tooManyRequests(wait);
    const message = commit(draft, clock());
    switch (fault) {
      case 'timeout':
        // Committed; no answer until the client gives up (or the sandbox stops).
        return undefined;
      case 'crash-after-post':
        req.socket.destroy();
        return undefined;
      case '500-after-post':
        return fail(500, 'Internal Server Error');
    }
    return ok(messageJson(draft.chat, message));
  }

  // --- edits and deletes ---

  function targetMessage(
    params: Params,
    missing: string,
  ): { chat: Chat; message: SandboxMessage } | Reply {
    const chat = chatFor(params, 'post');
    if (isReply(chat)) return chat;
    const id = integerParam(params.get('message_id'));
    if (id === undefined) return fail(400, 'Bad Request: message identifier is not specified');
    const message = chat.messages.get(id);
    return message ? { chat, message } : fail(400, missing);
  }

  function replace(
    chat: Chat,
    message: SandboxMessage,
    change: Partial<SandboxMessage>,
  ): SandboxMessage {
    const edited: SandboxMessage = { ...message, ...change, editDate: Math.floor(clock() / 1000) };
    chat.messages.set(message.messageId, edited);
    // The record keeps its place in time: same remote id, same receivedAt, the new text.
    context.posts.remove(PLATFORM, message.remoteId);
    record(edited, chat);
    return edited;
  }

  const sameContent = (a: SandboxMessage, b: Partial<SandboxMessage>) =>
    JSON.stringify([a.text, a.entities, a.linkPreview]) ===
    JSON.stringify([b.text, b.entities, b.linkPreview]);

  function editMessageText(ex: Exchange): Reply {
    const { params } = ex;
    const target = targetMessage(params, 'Bad Request: message to edit not found');
    if ('kind' in target) return target;
    const { chat, message } = target;
    if (message.kind !== 'text') {
      return fail(400, 'Bad Request: there is no text in the message to edit');
    }
    const text = stringParam(params.get('text'));
    if (text === undefined) return fail(400, 'Bad Request: message text is empty');
    const formatted = format(text, params, 'entities');
    if ('kind' in formatted) return formatted;
    if (formatted.text === '') return fail(400, 'Bad Request: message text is empty');
    if (lengthOf(formatted.text, unit) > MAX_MESSAGE_LENGTH) {
      return fail(400, 'Bad Request: message is too long');
    }
    const preview = parsePreview(params.get('link_preview_options'));
    if (!preview.ok) return fail(400, "Bad Request: can't parse link preview options JSON object");
    const linkPreview = previewOf(preview.preview, formatted);
    const change = { text: formatted.text, entities: formatted.entities, linkPreview };
    if (sameContent(message, change)) return fail(400, NOT_MODIFIED);
    return ok(messageJson(chat, replace(chat, message, change)));
  }

  function editMessageCaption(ex: Exchange): Reply {
    const { params } = ex;
    const target = targetMessage(params, 'Bad Request: message to edit not found');
    if ('kind' in target) return target;
    const { chat, message } = target;
    if (message.kind !== 'photo') {
      return fail(400, 'Bad Request: there is no caption in the message to edit');
    }
    const formatted = format(stringParam(params.get('caption')) ?? '', params, 'caption_entities');
    if ('kind' in formatted) return formatted;
    if (lengthOf(formatted.text, unit) > MAX_CAPTION_LENGTH) {
      return fail(400, 'Bad Request: message caption is too long');
    }
    const change = { text: formatted.text, entities: formatted.entities };
    if (sameContent(message, { ...change, linkPreview: message.linkPreview })) {
      return fail(400, NOT_MODIFIED);
    }
    return ok(messageJson(chat, replace(chat, message, change)));
  }

  function deleteMessage(ex: Exchange): Reply {
    const target = targetMessage(ex.params, 'Bad Request: message to delete not found');
    if ('kind' in target) return target;
    const { chat, message } = target;
    if (clock() - message.date * 1000 >= DELETE_WINDOW_MS) {
      return fail(400, "Bad Request: message can't be deleted");
    }
    chat.messages.delete(message.messageId);
    context.posts.remove(PLATFORM, message.remoteId);
    log.info('sandbox.telegram.deleted', { remoteId: message.remoteId });
    return ok(true);
  }

  // --- reads ---

  function getMe(): Reply {
    return ok({
      id: bot.id,
      is_bot: true,
      first_name: bot.firstName,
      username: bot.username,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    });
  }

  function getChat(ex: Exchange): Reply {
    const chat = chatFor(ex.params, 'read');
    if (isReply(chat)) return chat;
    return ok({
      ...chatJson(chat),
      description: `${chat.title} (Crier sandbox)`,
      accent_color_id: 0,
      max_reaction_count: 11,
      accepted_gift_types: {
        unlimited_gifts: false,
        limited_gifts: false,
        unique_gifts: false,
        premium_subscription: false,
      },
    });
  }

  // --- dispatch ---

  type Method = {
    name: string;
    handle: (ex: Exchange) => Reply | undefined | Promise<Reply | undefined>;
  };
  const methods: Method[] = [
    { name: 'getMe', handle: getMe },
    { name: 'getChat', handle: getChat },
    {
      name: 'sendMessage',
      handle: (ex) => create(ex, textDraft, POST_FAULTS),
    },
    {
      name: 'sendPhoto',
      handle: (ex) => {
        // Only a photo Telegram would fetch by URL can fail to download.
        const byUrl = /^https?:\/\//i.test(stringParam(ex.params.get('photo'))?.trim() ?? '');
        return create(ex, photoDraft, byUrl ? [...POST_FAULTS, 'download-failed'] : POST_FAULTS);
      },
    },
    { name: 'editMessageText', handle: editMessageText },
    { name: 'editMessageCaption', handle: editMessageCaption },
    { name: 'deleteMessage', handle: deleteMessage },
  ];
  // Bot API method names are case-insensitive.
  const byName = new Map(methods.map((m) => [m.name.toLowerCase(), m]));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const match = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) {
      req.resume();
      return send(res, fail(404, 'Not Found'));
    }
    if (match[1] !== bot.token) {
      req.resume();
      log.warn('sandbox.telegram.unauthorized', { method: match[2] });
      return send(res, fail(401, 'Unauthorized'));
    }
    const method = byName.get((match[2] ?? '').toLowerCase());
    if (!method) {
      req.resume();
      return send(res, fail(404, 'Not Found'));
    }
    requestLog.push(method.name);
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) send(res, fail(413, 'Request Entity Too Large'));
      return;
    }
    const params = await parseParams(req, url, body);
    if (!params) return send(res, fail(400, "Bad Request: can't parse request body"));
    const reply = await method.handle({ req, params, method: method.name });
    if (!reply || closing.signal.aborted) return;
    send(res, reply);
    if (reply.kind !== 'ok') {
      log.debug('sandbox.telegram.refused', {
        method: method.name,
        status: reply.kind === 'html' ? reply.status : reply.code,
      });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (closing.signal.aborted) return;
      log.error('sandbox.telegram.error', { error });
      send(res, fail(500, 'Internal Server Error'));
    });
  });
  const loopback = await listenOnLoopback(server);
  const account = `@${chats.newsroom.username}`;
  log.info('sandbox.telegram.started', { url: loopback.url, account });

  const publicChannel = ({ id, title, username }: Chat): SandboxChannel => ({
    id,
    title,
    ...(username ? { username } : {}),
  });

  return {
    platform: PLATFORM,
    url: loopback.url,
    account,
    credentials: { botToken: bot.token, chatId: account, apiRoot: loopback.url },
    bot: { id: bot.id, username: bot.username },
    channels: {
      newsroom: publicChannel(chats.newsroom),
      private: publicChannel(chats.private),
      readOnly: publicChannel(chats.readOnly),
      notMember: publicChannel(chats.notMember),
    },
    messages: () =>
      allChats
        .flatMap((chat) => [...chat.messages.values()])
        .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.messageId - b.messageId)
        .map((m) => structuredClone(m)),
    requests: () => [...requestLog],
    async stop() {
      if (closing.signal.aborted) return;
      closing.abort();
      await loopback.close();
      log.info('sandbox.telegram.stopped', {});
    },
  };
}

export const startTelegramSandbox: SandboxFactory = (context) => launchTelegramSandbox(context);
