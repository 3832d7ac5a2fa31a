/** The Bot API methods the sandbox serves, edits and deletes among them, and their dispatch. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { POST_FAULTS } from '../faults';
import { BodyTooLargeError, readBodyCapped } from '../kit/http';
import { create, photoDraft, record, textDraft } from './create';
import {
  fail,
  integerParam,
  ok,
  type Params,
  parseParams,
  type Reply,
  send,
  stringParam,
} from './http';
import { format, messageText, previewOf } from './parse';
import { getChat, getChatMember, getMe, messageJson, NOT_MODIFIED } from './serialize';
import {
  type Chat,
  DELETE_WINDOW_MS,
  type Exchange,
  isReply,
  MAX_BODY_BYTES,
  MAX_CAPTION_LENGTH,
  PLATFORM,
  type SandboxMessage,
  type TelegramState,
} from './state';
import { lengthOf } from './text';
import { getUpdates } from './updates';

export function targetMessage(
  s: TelegramState,
  params: Params,
  missing: string,
): { chat: Chat; message: SandboxMessage } | Reply {
  const chat = s.chatFor(params, 'post');
  if (isReply(chat)) return chat;
  const id = integerParam(params.get('message_id'));
  if (id === undefined) return fail(400, 'Bad Request: message identifier is not specified');
  const message = chat.messages.get(id);
  return message ? { chat, message } : fail(400, missing);
}

export function replace(
  s: TelegramState,
  chat: Chat,
  message: SandboxMessage,
  change: Partial<SandboxMessage>,
): SandboxMessage {
  const edited: SandboxMessage = { ...message, ...change, editDate: Math.floor(s.clock() / 1000) };
  chat.messages.set(message.messageId, edited);
  // The record keeps its place in time: same remote id, same receivedAt, the new text.
  s.sandbox.posts.remove(PLATFORM, message.remoteId);
  record(s, edited, chat);
  return edited;
}

const sameContent = (a: SandboxMessage, b: Partial<SandboxMessage>) =>
  JSON.stringify([a.text, a.entities, a.linkPreview]) ===
  JSON.stringify([b.text, b.entities, b.linkPreview]);

export function editMessageText(s: TelegramState, ex: Exchange): Reply {
  const { params } = ex;
  const target = targetMessage(s, params, 'Bad Request: message to edit not found');
  if ('kind' in target) return target;
  const { chat, message } = target;
  if (message.kind !== 'text') {
    return fail(400, 'Bad Request: there is no text in the message to edit');
  }
  const text = stringParam(params.get('text'));
  if (text === undefined) return fail(400, 'Bad Request: message text is empty');
  const checked = messageText(text, params, s.unit);
  if ('kind' in checked) return checked;
  const { formatted } = checked;
  const linkPreview = previewOf(checked.given, formatted);
  const change = { text: formatted.text, entities: formatted.entities, linkPreview };
  if (sameContent(message, change)) return fail(400, NOT_MODIFIED);
  return ok(messageJson(chat, replace(s, chat, message, change)));
}

export function editMessageCaption(s: TelegramState, ex: Exchange): Reply {
  const { params } = ex;
  const target = targetMessage(s, params, 'Bad Request: message to edit not found');
  if ('kind' in target) return target;
  const { chat, message } = target;
  if (message.kind !== 'photo') {
    return fail(400, 'Bad Request: there is no caption in the message to edit');
  }
  const formatted = format(stringParam(params.get('caption')) ?? '', params, 'caption_entities');
  if ('kind' in formatted) return formatted;
  if (lengthOf(formatted.text, s.unit) > MAX_CAPTION_LENGTH) {
    return fail(400, 'Bad Request: message caption is too long');
  }
  const change = { text: formatted.text, entities: formatted.entities };
  if (sameContent(message, { ...change, linkPreview: message.linkPreview })) {
    return fail(400, NOT_MODIFIED);
  }
  return ok(messageJson(chat, replace(s, chat, message, change)));
}

export function deleteMessage(s: TelegramState, ex: Exchange): Reply {
  const target = targetMessage(s, ex.params, 'Bad Request: message to delete not found');
  if ('kind' in target) return target;
  const { chat, message } = target;
  if (s.clock() - message.date * 1000 >= DELETE_WINDOW_MS) {
    return fail(400, "Bad Request: message can't be deleted");
  }
  chat.messages.delete(message.messageId);
  s.sandbox.posts.remove(PLATFORM, message.remoteId);
  s.log.info('sandbox.telegram.deleted', { remoteId: message.remoteId });
  return ok(true);
}

type Method = {
  name: string;
  handle: (s: TelegramState, ex: Exchange) => Reply | undefined | Promise<Reply | undefined>;
};

const METHODS: Method[] = [
  { name: 'getMe', handle: getMe },
  { name: 'getChat', handle: getChat },
  { name: 'getChatMember', handle: getChatMember },
  { name: 'sendMessage', handle: (s, ex) => create(s, ex, textDraft, POST_FAULTS) },
  {
    name: 'sendPhoto',
    handle: (s, ex) => {
      // Only a photo Telegram would fetch by URL can fail to download.
      const byUrl = /^https?:\/\//i.test(stringParam(ex.params.get('photo'))?.trim() ?? '');
      return create(s, ex, photoDraft, byUrl ? [...POST_FAULTS, 'download-failed'] : POST_FAULTS);
    },
  },
  { name: 'editMessageText', handle: editMessageText },
  { name: 'editMessageCaption', handle: editMessageCaption },
  { name: 'deleteMessage', handle: deleteMessage },
  { name: 'getUpdates', handle: getUpdates },
];
// Bot API method names are case-insensitive.
const BY_NAME = new Map(METHODS.map((m) => [m.name.toLowerCase(), m]));

/** `/bot<token>/<method>`: the token, then the method, then its parameters. */
export async function handle(
  s: TelegramState,
  req: IncomingMessage,
  res: ServerResponse,
  closing: AbortSignal,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const match = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(url.pathname);
  const method = BY_NAME.get((match?.[2] ?? '').toLowerCase());
  if (!match || match[1] !== s.bot.token || !method) {
    req.resume();
    if (match && match[1] !== s.bot.token) {
      s.log.warn('sandbox.telegram.unauthorized', { method: match[2] });
      return send(res, fail(401, 'Unauthorized'));
    }
    return send(res, fail(404, 'Not Found'));
  }
  s.requestLog.push(method.name);
  let body: Buffer;
  try {
    body = await readBodyCapped(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) send(res, fail(413, 'Request Entity Too Large'));
    return;
  }
  const params = await parseParams(req, url, body);
  if (!params) return send(res, fail(400, "Bad Request: can't parse request body"));
  const reply = await method.handle(s, { req, res, params, method: method.name });
  if (!reply || closing.aborted) return;
  send(res, reply);
  if (reply.kind !== 'ok') {
    const status = reply.kind === 'html' ? reply.status : reply.code;
    s.log.debug('sandbox.telegram.refused', { method: method.name, status });
  }
}
