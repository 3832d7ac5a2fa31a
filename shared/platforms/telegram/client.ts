/**
 * Telegram through grammy: a share becomes one channel post, a photo with the text as its
 * caption when the share has an image and the text fits 1,024 characters, else a text
 * message with a large preview of the article link. The Bot API has no idempotency key and
 * no way to read a channel's history, so an unknown outcome cannot be reconciled: the
 * share stays parked for an editor, with the channel to look in. A withdrawn article's
 * post is deleted (within Telegram's 48 hours) or edited; its reactions are its only counts
 * (metrics.ts) (docs/networks.md, Telegram).
 */
import { GrammyError, HttpError } from 'grammy';
import * as z from 'zod';
import type { Share } from '../../domain/share';
import type {
  ClientCall,
  NetworkClient,
  NoteCall,
  PublishOutcome,
  ReconcileOutcome,
  WithdrawCall,
  WithdrawOutcome,
} from '../client';
import { DeadlineError } from '../transport';
import { answered, apiFor, attempt, floodUntil, REMOTE_ID } from './api';
import { parseTelegramCredentials, type TelegramCredentials } from './credentials';
import { metrics } from './metrics';
import { fitsCaption, TELEGRAM_MAX_MESSAGE_LENGTH, telegramLength } from './rules';

export { telegramCredentialsSchema } from './credentials';

/** The connection was never made, so the request cannot have reached Telegram. */
const NEVER_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/**
 * sendPhoto refusals about the image (Telegram fetches a photo URL itself): no message was
 * made, so the share goes out as text with a link preview rather than failing.
 */
const UNUSABLE_PHOTO =
  /failed to get HTTP URL content|wrong type of the web page content|wrong (?:remote )?file identifier|IMAGE_PROCESS_FAILED|PHOTO_INVALID_DIMENSIONS|PHOTO_EXT_INVALID|PHOTO_SAVE_FILE_INVALID|file is too big/i;
/** 400s saying the bot may not post in the channel: its rights are an operator's matter. */
const NO_RIGHTS =
  /need administrator rights|not enough rights|have no rights to send|CHAT_WRITE_FORBIDDEN|CHAT_ADMIN_REQUIRED/i;
const PUBLIC_CHANNEL = /^@([A-Za-z][A-Za-z0-9_]{3,31})$/;

const sentSchema = z.object({
  message_id: z.number().int().positive(),
  chat: z.object({ id: z.number().int(), username: z.string().min(1).optional() }),
});
const parametersSchema = z.object({ migrate_to_chat_id: z.number().int().optional() });
/** What node-fetch (grammy's HTTP client on Node) puts on the error it rejects with. */
const fetchErrorSchema = z.object({ code: z.string().optional(), type: z.string().optional() });

/** `https://t.me/<username>` for a public channel, `https://t.me/c/<id>` for a private one. */
function channelLink(chatId: string): string {
  const username = PUBLIC_CHANNEL.exec(chatId)?.[1];
  if (username) return `https://t.me/${username}`;
  return `https://t.me/c/${chatId.replace(/^-100/, '').replace(/^-/, '')}`;
}

function messageUrl(
  chat: z.output<typeof sentSchema>['chat'],
  messageId: number,
  credentials: TelegramCredentials,
): string {
  if (chat.username) return `https://t.me/${chat.username}/${messageId}`;
  const fromConfig = PUBLIC_CHANNEL.test(credentials.chatId) ? credentials.chatId : String(chat.id);
  return `${channelLink(fromConfig)}/${messageId}`;
}

function published(answer: unknown, credentials: TelegramCredentials): PublishOutcome {
  const sent = sentSchema.safeParse(answer);
  // Posted, but without the id Crier cannot record it; nothing can look it up either.
  if (!sent.success) {
    return {
      kind: 'unknown',
      message: 'Telegram accepted the post but answered without its message id',
    };
  }
  const { chat, message_id: messageId } = sent.data;
  return {
    kind: 'published',
    // Message ids count per chat: the chat's numeric id makes the message's id.
    remoteId: `${chat.id}/${messageId}`,
    remoteUrl: messageUrl(chat, messageId, credentials),
  };
}

/** A failure once the create request may have reached Telegram (docs/networks.md, Telegram, Errors). */
function sendFailure(
  error: unknown,
  method: string,
  deadline: AbortSignal,
  credentials: TelegramCredentials,
  timeoutMs: number,
): PublishOutcome {
  const mayExist = 'the message may have been posted, and Telegram offers no way to check';
  if (error instanceof GrammyError) {
    const message = answered(error, method, credentials);
    const parameters = parametersSchema.safeParse(error.parameters);
    const code = error.error_code;
    // 401: the bot token is revoked; 403 and "need administrator rights": the bot lost
    // its place in the channel, which a person must give back.
    if (code === 401) return { kind: 'auth', message };
    if (code === 403 || (code === 400 && NO_RIGHTS.test(error.description))) {
      return { kind: 'auth', message, permission: true };
    }
    if (code === 429) return { kind: 'rate', until: floodUntil(error), message };
    if (code >= 500) return { kind: 'unknown', message: `${message}; ${mayExist}` };
    const migrated = parameters.success ? parameters.data.migrate_to_chat_id : undefined;
    if (migrated !== undefined) {
      return { kind: 'rejected', message: `${message}; set chatId to ${migrated}` };
    }
    return { kind: 'rejected', message };
  }
  if (error instanceof DeadlineError || deadline.aborted) {
    return {
      kind: 'unknown',
      message: `No answer from Telegram to ${method} within ${timeoutMs} ms; ${mayExist}`,
    };
  }
  if (error instanceof HttpError) {
    const inner = fetchErrorSchema.safeParse(error.error);
    const code = inner.success ? inner.data.code : undefined;
    if (code && NEVER_CONNECTED.has(code)) {
      return { kind: 'retry', message: `Could not reach Telegram (${code}); nothing was sent` };
    }
    if (inner.success && inner.data.type === 'invalid-json') {
      // A proxy's error page (nginx's 502 or 503): the status went with the body.
      return {
        kind: 'unknown',
        message: `Telegram's answer to ${method} was not JSON (a proxy's error page); ${mayExist}`,
      };
    }
    return {
      kind: 'unknown',
      message: `The connection to Telegram failed during ${method} (${code ?? 'no code'}); ${mayExist}`,
    };
  }
  const name = error instanceof Error ? error.name : typeof error;
  return { kind: 'unknown', message: `Unexpected failure during ${method} (${name}); ${mayExist}` };
}

/** A refusal of the photo itself, after which the text can still go out. */
function isUnusablePhoto(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    UNUSABLE_PHOTO.test(error.description)
  );
}

/** What Telegram would refuse anyway, said in Crier's words and before any call. */
function invalidText(share: Share): string | undefined {
  if (share.text.trim() === '') return 'The text is empty';
  const length = telegramLength(share.text);
  if (length > TELEGRAM_MAX_MESSAGE_LENGTH) {
    return `The text is ${length} characters (UTF-16 code units); a Telegram message takes at most ${TELEGRAM_MAX_MESSAGE_LENGTH}`;
  }
  return undefined;
}

async function publish(call: ClientCall): Promise<PublishOutcome> {
  const parsed = parseTelegramCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const { credentials } = parsed;
  const { share } = call;
  const invalid = invalidText(share);
  if (invalid) return { kind: 'rejected', message: invalid };

  const deadline = AbortSignal.timeout(call.timeoutMs);
  const api = apiFor(credentials, call.timeoutMs);
  const photo = share.media?.[0];
  if (photo && fitsCaption(share.text)) {
    const sent = await attempt(
      () => api.sendPhoto(credentials.chatId, photo.url, { caption: share.text }),
      deadline,
    );
    if (sent.ok) return published(sent.answer, credentials);
    if (!isUnusablePhoto(sent.error)) {
      return sendFailure(sent.error, 'sendPhoto', deadline, credentials, call.timeoutMs);
    }
    if (deadline.aborted) {
      return {
        kind: 'retry',
        message: 'Telegram could not use the photo and no time was left to send the text',
      };
    }
  }
  const sent = await attempt(
    () =>
      api.sendMessage(credentials.chatId, share.text, {
        link_preview_options: { url: share.card?.url ?? share.url, prefer_large_media: true },
      }),
    deadline,
  );
  if (sent.ok) return published(sent.answer, credentials);
  return sendFailure(sent.error, 'sendMessage', deadline, credentials, call.timeoutMs);
}

/**
 * The Bot API reads no channel history (docs/networks.md): only an editor can look for
 * `what` (the post, or a correction note).
 */
function unreadable(call: ClientCall, what: string): ReconcileOutcome {
  const parsed = parseTelegramCredentials(call.credentials);
  const where = parsed.ok ? channelLink(parsed.credentials.chatId) : 'the channel';
  return {
    kind: 'unsure',
    never: true,
    reason: `Telegram's Bot API cannot read a channel's history, so Crier cannot tell whether ${what} went out: look in ${where} and record or retry it by hand`,
  };
}

async function reconcile(call: ClientCall): Promise<ReconcileOutcome> {
  return unreadable(call, 'the post');
}

/** The message is not there any more: deleted by hand, or by an earlier attempt. */
const GONE = /message to (?:delete|edit) not found|MESSAGE_ID_INVALID/i;
const NOT_MODIFIED = /message is not modified/i;
/** editMessageText on a photo: its text is a caption. */
const NO_TEXT = /there is no text in the message to edit/i;
const TOO_OLD = /message can't be deleted/i;

function withdrawFailure(
  error: unknown,
  method: string,
  credentials: TelegramCredentials,
  timeoutMs: number,
): WithdrawOutcome {
  if (error instanceof GrammyError) {
    const message = answered(error, method, credentials);
    const code = error.error_code;
    if (code === 400 && GONE.test(error.description)) {
      return { kind: 'withdrawn', note: 'the message was already gone' };
    }
    if (code === 400 && NOT_MODIFIED.test(error.description)) {
      return { kind: 'withdrawn', note: 'the message already said so' };
    }
    // 401: the bot token is revoked; 403 and "need administrator rights": the bot lost
    // its place in the channel, which a person must give back.
    if (code === 401) return { kind: 'auth', message };
    if (code === 403 || (code === 400 && NO_RIGHTS.test(error.description))) {
      return { kind: 'auth', message, permission: true };
    }
    if (code === 429) return { kind: 'rate', until: floodUntil(error), message };
    if (code >= 500) return { kind: 'retry', message };
    if (TOO_OLD.test(error.description)) {
      return {
        kind: 'rejected',
        message: `${message}: Telegram deletes a channel post only within 48 hours of sending it`,
      };
    }
    return { kind: 'rejected', message };
  }
  if (error instanceof DeadlineError) {
    return {
      kind: 'retry',
      message: `No answer from Telegram to ${method} within ${timeoutMs} ms`,
    };
  }
  const name = error instanceof Error ? error.name : typeof error;
  return { kind: 'retry', message: `${method} failed to reach Telegram (${name})` };
}

/** deleteMessage; or editMessageText, and editMessageCaption where the post is a photo. */
async function withdraw(call: WithdrawCall): Promise<WithdrawOutcome> {
  const remote = REMOTE_ID.exec(call.share.remoteId ?? '');
  if (!remote?.[1] || !remote[2]) {
    return { kind: 'rejected', message: 'The share has no Telegram message id to withdraw' };
  }
  const chatId = remote[1];
  const messageId = Number(remote[2]);
  const parsed = parseTelegramCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const { credentials } = parsed;
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const api = apiFor(credentials, call.timeoutMs);
  const failed = (error: unknown, method: string) =>
    withdrawFailure(error, method, credentials, call.timeoutMs);

  if (call.action === 'delete') {
    const deleted = await attempt(() => api.deleteMessage(chatId, messageId), deadline);
    return deleted.ok ? { kind: 'withdrawn' } : failed(deleted.error, 'deleteMessage');
  }
  const { text } = call;
  const edited = await attempt(() => api.editMessageText(chatId, messageId, text), deadline);
  if (edited.ok) return { kind: 'withdrawn' };
  if (!(edited.error instanceof GrammyError && NO_TEXT.test(edited.error.description))) {
    return failed(edited.error, 'editMessageText');
  }
  const captioned = await attempt(
    () => api.editMessageCaption(chatId, messageId, { caption: text }),
    deadline,
  );
  return captioned.ok ? { kind: 'withdrawn' } : failed(captioned.error, 'editMessageCaption');
}

/**
 * A correction note: a channel post that replies to the share's (`reply_parameters`), so
 * readers see it quote the post it corrects. Like any channel post it cannot be looked for
 * afterwards: an unknown outcome parks the note for an editor.
 */
async function publishNote(call: NoteCall): Promise<PublishOutcome> {
  const remote = REMOTE_ID.exec(call.parentId);
  if (!remote?.[1] || !remote[2]) {
    return { kind: 'rejected', message: `${call.parentId} is not a Telegram message id` };
  }
  const invalid = invalidText({ ...call.share, text: call.text });
  if (invalid) return { kind: 'rejected', message: invalid };
  const parsed = parseTelegramCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const { credentials } = parsed;
  const chatId = remote[1];
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const api = apiFor(credentials, call.timeoutMs);
  const sent = await attempt(
    () =>
      api.sendMessage(chatId, call.text, {
        // A post gone from the channel refuses the note (400) rather than leave it unattached.
        reply_parameters: { message_id: Number(remote[2]) },
        link_preview_options: { is_disabled: true },
      }),
    deadline,
  );
  if (sent.ok) return published(sent.answer, credentials);
  return sendFailure(sent.error, 'sendMessage', deadline, credentials, call.timeoutMs);
}

async function reconcileNote(call: NoteCall): Promise<ReconcileOutcome> {
  return unreadable(call, 'the correction note');
}

export const telegramClient: NetworkClient = {
  publish,
  reconcile,
  withdraw,
  metrics,
  notes: { publish: publishNote, reconcile: reconcileNote },
};
