/** How the Telegram sandbox renders chats and messages, and its own errors. */
import { gatewayPage } from '../kit/http';
import { fail, integerParam, ok, type Reply } from './http';
import {
  type Chat,
  type Exchange,
  isReply,
  type SandboxChannel,
  type SandboxMessage,
  type TelegramState,
} from './state';

export const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
// What nginx in front of the Bot API answers when it has no upstream; grammy cannot read it.
export const SERVICE_UNAVAILABLE_PAGE = gatewayPage('503 Service Temporarily Unavailable', 'nginx');

export const tooManyRequests = (seconds: number): Reply =>
  fail(429, `Too Many Requests: retry after ${seconds}`, { retry_after: seconds });

export function publicUrl(chat: SandboxChannel, messageId: number): string {
  return chat.username
    ? `https://t.me/${chat.username}/${messageId}`
    : `https://t.me/c/${String(chat.id).replace(/^-100/, '')}/${messageId}`;
}

export function chatJson(chat: SandboxChannel) {
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

export function messageJson(chat: Chat, message: SandboxMessage) {
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

export function getMe(s: TelegramState): Reply {
  return ok({
    id: s.bot.id,
    is_bot: true,
    first_name: s.bot.firstName,
    username: s.bot.username,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  });
}

export function getChat(s: TelegramState, ex: Exchange): Reply {
  const chat = s.chatFor(ex.params, 'read');
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

/**
 * `getChatMember` for the bot itself in a channel: an administrator, with
 * `can_post_messages` as its rights in that channel say (what a connect check reads).
 * In a channel a bot sees administrators only; anyone else is "user not found".
 */
export function getChatMember(s: TelegramState, ex: Exchange): Reply {
  const chat = s.chatFor(ex.params, 'read');
  if (isReply(chat)) return chat;
  const userId = integerParam(ex.params.get('user_id'));
  if (userId === undefined) return fail(400, 'Bad Request: invalid user_id specified');
  if (chat.membership === 'none') {
    return fail(403, 'Forbidden: bot is not a member of the channel chat');
  }
  if (userId !== s.bot.id) return fail(400, 'Bad Request: user not found');
  const canPost = chat.membership === 'poster';
  return ok({
    user: { id: s.bot.id, is_bot: true, first_name: s.bot.firstName, username: s.bot.username },
    status: 'administrator',
    can_be_edited: false,
    is_anonymous: false,
    can_manage_chat: true,
    can_delete_messages: canPost,
    can_manage_video_chats: false,
    can_restrict_members: true,
    can_promote_members: false,
    can_change_info: false,
    can_invite_users: true,
    can_post_stories: false,
    can_edit_stories: false,
    can_delete_stories: false,
    can_post_messages: canPost,
    can_edit_messages: canPost,
  });
}
