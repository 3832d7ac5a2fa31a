/** sendMessage and sendPhoto: drafts, flood control, the commit and the fault knobs. */
import { randomBytes } from 'node:crypto';
import type { Fault } from '../faults';
import { playCreate, type Refusal } from '../kit/play';
import { fail, isUpload, ok, type Params, type Reply, stringParam } from './http';
import { format, messageText, previewOf, replyTarget } from './parse';
import { messageJson, publicUrl, SERVICE_UNAVAILABLE_PAGE, tooManyRequests } from './serialize';
import {
  type Chat,
  type Draft,
  type Exchange,
  isReply,
  MAX_CAPTION_LENGTH,
  MAX_PHOTO_BYTES,
  type Photo,
  PLATFORM,
  type SandboxMessage,
  type TelegramState,
} from './state';
import { lengthOf } from './text';

export function record(s: TelegramState, message: SandboxMessage, chat: Chat): void {
  const preview = message.linkPreview;
  s.sandbox.posts.add({
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

export function commit(s: TelegramState, draft: Draft, now: number): SandboxMessage {
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
  if (draft.photo) s.photosByFileId.set(draft.photo.fileId, draft.photo);
  record(s, message, chat);
  s.log.info('sandbox.telegram.post', { remoteId: message.remoteId, kind: message.kind });
  return message;
}

export function textDraft(s: TelegramState, params: Params): Draft | Reply {
  const text = stringParam(params.get('text'));
  if (!stringParam(params.get('chat_id'))?.trim()) {
    return fail(400, 'Bad Request: chat_id is empty');
  }
  if (text === undefined) return fail(400, 'Bad Request: message text is empty');
  const chat = s.chatFor(params, 'post');
  if (isReply(chat)) return chat;
  const checked = messageText(text, params, s.unit);
  if ('kind' in checked) return checked;
  const { formatted } = checked;
  const replyTo = replyTarget(params, chat);
  if (typeof replyTo === 'object') return replyTo;
  const linkPreview = previewOf(checked.given, formatted);
  return {
    chat,
    kind: 'text',
    formatted,
    ...(linkPreview ? { linkPreview } : {}),
    ...(replyTo ? { replyTo } : {}),
  };
}

/** The photo as Telegram gets it: an upload, a URL it would fetch, or a known file_id. */
export function photoOf(s: TelegramState, value: unknown): Photo | Reply {
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
  const known = s.photosByFileId.get(raw);
  if (known) return known;
  return fail(400, 'Bad Request: wrong file identifier/HTTP URL specified');
}

export function photoDraft(s: TelegramState, params: Params): Draft | Reply {
  if (!stringParam(params.get('chat_id'))?.trim()) {
    return fail(400, 'Bad Request: chat_id is empty');
  }
  const given = params.get('photo');
  if (given === undefined || given === '') {
    return fail(400, 'Bad Request: there is no photo in the request');
  }
  const chat = s.chatFor(params, 'post');
  if (isReply(chat)) return chat;
  const formatted = format(stringParam(params.get('caption')) ?? '', params, 'caption_entities');
  if ('kind' in formatted) return formatted;
  if (lengthOf(formatted.text, s.unit) > MAX_CAPTION_LENGTH) {
    return fail(400, 'Bad Request: message caption is too long');
  }
  const photo = photoOf(s, given);
  if ('kind' in photo) return photo;
  const replyTo = replyTarget(params, chat);
  if (typeof replyTo === 'object') return replyTo;
  return { chat, kind: 'photo', formatted, photo, ...(replyTo ? { replyTo } : {}) };
}

function refuse(s: TelegramState, fault: Refusal, now: number): Reply {
  switch (fault) {
    case 'auth':
    case 'expired-token':
      // Bot tokens do not expire: a revoked one is the plain 401.
      return fail(401, 'Unauthorized');
    case 'permission':
      return fail(400, 'Bad Request: need administrator rights in the channel chat');
    case '429':
      s.rateLimitedUntil = now + s.sandbox.faults.resetSeconds * 1000;
      return tooManyRequests(Math.ceil(s.sandbox.faults.resetSeconds));
    case '502':
      return fail(502, 'Bad Gateway');
    case '503':
      return { kind: 'html', status: 503, html: SERVICE_UNAVAILABLE_PAGE };
    case 'download-failed':
      return fail(400, 'Bad Request: failed to get HTTP URL content');
    default:
      return fail(500, 'Internal Server Error');
  }
}

/** sendMessage or sendPhoto, with the fault picked for it played around the create. */
export async function create(
  s: TelegramState,
  ex: Exchange,
  prepare: (s: TelegramState, params: Params) => Draft | Reply,
  applicable: readonly Fault[],
): Promise<Reply | undefined> {
  const now = s.clock();
  // While a 429's wait has not passed, every create is refused the same way.
  if (s.rateLimitedUntil > now) {
    return tooManyRequests(Math.ceil((s.rateLimitedUntil - now) / 1000));
  }
  const fault = s.sandbox.faults.pick(PLATFORM, applicable);
  if (fault) s.log.info('sandbox.telegram.fault', { fault, method: ex.method });
  return playCreate<{ chat: Chat; message: SandboxMessage }, Reply>({
    fault,
    res: ex.res,
    delay: () => s.delay(s.slowMs),
    refuse: (refusal) => refuse(s, refusal, now),
    commit: () => {
      const draft = prepare(s, ex.params);
      if (!('chat' in draft)) return { answer: draft };
      const wait = s.floodWait(draft.chat, s.clock());
      if (wait > 0) return { answer: tooManyRequests(wait) };
      return { committed: { chat: draft.chat, message: commit(s, draft, s.clock()) } };
    },
    answer: ({ chat, message }) => ok(messageJson(chat, message)),
    failAfterCommit: () => fail(500, 'Internal Server Error'),
  });
}
