/**
 * A Telegram channel's credentials secret: the bot's token from @BotFather and the channel
 * it posts to; `apiRoot` points grammy at the local sandbox, and only there.
 */
import * as z from 'zod';
import { isSandboxUrl } from '../rest/credentials';

// `<bot id>:<secret>`; the secret is 35 URL-safe characters today. The token goes into the
// URL path, so nothing else may get through.
const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{30,64}$/;
const CHANNEL_USERNAME = /^@[A-Za-z][A-Za-z0-9_]{3,31}$/;
const CHAT_ID = /^-?\d{1,20}$/;
export const telegramCredentialsSchema = z.object({
  botToken: z
    .string()
    .trim()
    .regex(BOT_TOKEN, 'must be a bot token as @BotFather gives it (<bot id>:<secret>)'),
  /** the channel: `@username` for a public one, the numeric `-100…` id for any */
  chatId: z.preprocess(
    // A numeric id may come as a JSON number.
    (value) => (typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value),
    z
      .string()
      .trim()
      .refine(
        (value) => CHANNEL_USERNAME.test(value) || CHAT_ID.test(value),
        "must be the channel's @username or its numeric id",
      ),
  ),
  apiRoot: z
    .string()
    .trim()
    .refine(isSandboxUrl, 'must be an http URL on loopback (sandbox only)')
    // grammy refuses an apiRoot that ends in `/`.
    .transform((value) => new URL(value).origin)
    .optional(),
});

export type TelegramCredentials = z.output<typeof telegramCredentialsSchema>;

export type ParsedCredentials =
  | { ok: true; credentials: TelegramCredentials }
  | { ok: false; message: string };

/** Names each bad field and what is wrong with it, never a value (the token is the bot). */
export function parseTelegramCredentials(input: unknown): ParsedCredentials {
  const result = telegramCredentialsSchema.safeParse(input);
  if (result.success) return { ok: true, credentials: result.data };
  const given = typeof input === 'object' && input !== null ? Object.keys(input) : [];
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    if (!field) return '(the credentials) must be an object';
    if (!given.includes(field)) return `${field} missing`;
    return `${field} ${issue.code === 'invalid_type' ? 'must be a string' : issue.message}`;
  });
  return {
    ok: false,
    message: `Invalid Telegram credentials: ${[...new Set(problems)].join('; ')} (expected { botToken, chatId, apiRoot? })`,
  };
}
