/**
 * getUpdates as the Bot API serves it to a bot that polls: `allowed_updates` is kept until
 * the next call that names it (by default every type but the reaction and member ones), an
 * `offset` confirms every update before it, and `limit` caps a page at 100. The only
 * updates the sandbox makes are `message_reaction_count`: for every channel post in a
 * channel the bot administers, the anonymous reactions' new totals (from the audience
 * model, spread over a few emoji) whenever they changed since the bot was last told
 * (docs/networks.md, Engagement metrics, Telegram).
 */
import { READ_FAULTS } from '../faults';
import { engagementAt } from '../kit/engagement';
import { playRead } from '../kit/play';
import { fail, integerParam, ok, type Params, type Reply } from './http';
import { chatJson, SERVICE_UNAVAILABLE_PAGE, tooManyRequests } from './serialize';
import { type Exchange, PLATFORM, type TelegramState } from './state';

/** The types a bot gets when it never named any (the Bot API's default). */
const DEFAULT_TYPES = ['message', 'edited_message', 'channel_post', 'edited_channel_post'];
const MAX_LIMIT = 100;
/** How a post's reactions spread over emoji: most are thumbs up. */
const EMOJI: [string, number][] = [
  ['👍', 0.5],
  ['❤', 0.25],
  ['🔥', 0.15],
  ['🎉', 0.1],
];

/** Each sandbox's queue, kept beside its state. */
const queues = new WeakMap<TelegramState, UpdateQueue>();

type Update = { update_id: number; message_reaction_count: Record<string, unknown> };

/** What the bot's polling has left on the sandbox: its choice of types, and the queue. */
export class UpdateQueue {
  allowed: string[] = DEFAULT_TYPES;
  private nextId = 400_000_000 + Math.floor(Math.random() * 100_000_000);
  private pending: Update[] = [];
  /** the total each message's last update told */
  private readonly told = new Map<string, number>();

  /** Drops every update before `offset` (a negative one counts from the end). */
  confirm(offset: number): void {
    if (offset < 0) this.pending = this.pending.slice(offset);
    else this.pending = this.pending.filter((u) => u.update_id >= offset);
  }

  /** Adds an update for every administered channel post whose total changed. */
  collect(s: TelegramState, now: number): void {
    if (!this.allowed.includes('message_reaction_count')) return;
    for (const chat of s.allChats) {
      if (chat.membership === 'none') continue;
      for (const message of chat.messages.values()) {
        const counts = engagementAt(s.sandbox.posts, PLATFORM, message.remoteId, now);
        if (!counts || counts.likes === (this.told.get(message.remoteId) ?? 0)) continue;
        this.told.set(message.remoteId, counts.likes);
        this.pending.push({
          update_id: this.nextId++,
          message_reaction_count: {
            chat: chatJson(chat),
            message_id: message.messageId,
            date: Math.floor(now / 1000),
            reactions: spread(counts.likes),
          },
        });
      }
    }
  }

  page(limit: number): Update[] {
    return this.pending.slice(0, limit);
  }
}

/** `total` reactions over a few emoji, most first; every count at least 1. */
export function spread(total: number) {
  const counts = EMOJI.map(([emoji, share]) => ({ emoji, count: Math.floor(total * share) }));
  const first = counts[0];
  if (first) first.count += total - counts.reduce((sum, c) => sum + c.count, 0);
  return counts
    .filter((c) => c.count > 0)
    .map((c) => ({ type: { type: 'emoji', emoji: c.emoji }, total_count: c.count }));
}

/** `allowed_updates` as JSON text (a query or form field) or as a JSON body's array. */
function typesOf(value: unknown): string[] | undefined | 'invalid' {
  if (value === undefined) return undefined;
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return 'invalid';
    }
  }
  if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) return 'invalid';
  return list.length === 0 ? DEFAULT_TYPES : list;
}

function refuse(fault: '429' | '500' | '502' | '503', s: TelegramState): Reply {
  switch (fault) {
    case '429':
      return tooManyRequests(Math.ceil(s.sandbox.faults.resetSeconds));
    case '502':
      return fail(502, 'Bad Gateway');
    case '503':
      return { kind: 'html', status: 503, html: SERVICE_UNAVAILABLE_PAGE };
    default:
      return fail(500, 'Internal Server Error');
  }
}

export async function getUpdates(s: TelegramState, ex: Exchange): Promise<Reply | undefined> {
  const fault = s.sandbox.faults.pick(PLATFORM, READ_FAULTS);
  if (fault) s.log.info('sandbox.telegram.fault', { fault, method: ex.method });
  const played = await playRead({
    fault,
    res: ex.res,
    delay: () => s.delay(s.slowMs),
    refuse: (refusal) => refuse(refusal, s),
  });
  if (!played.go) return played.answer;
  return answerUpdates(s, ex.params);
}

function answerUpdates(s: TelegramState, params: Params): Reply {
  const types = typesOf(params.get('allowed_updates'));
  if (types === 'invalid') {
    return fail(400, "Bad Request: can't parse allowed updates: expected an Array of String");
  }
  const rawLimit = params.get('limit');
  const limit = rawLimit === undefined ? MAX_LIMIT : integerParam(rawLimit);
  const rawOffset = params.get('offset');
  const offset = rawOffset === undefined ? undefined : integerParam(rawOffset);
  if (limit === undefined || (rawOffset !== undefined && offset === undefined)) {
    return fail(400, 'Bad Request: invalid parameters');
  }
  let queue = queues.get(s);
  if (!queue) {
    queue = new UpdateQueue();
    queues.set(s, queue);
  }
  if (types) queue.allowed = types;
  if (offset !== undefined) queue.confirm(offset);
  queue.collect(s, s.clock());
  return ok(queue.page(Math.min(Math.max(limit, 1), MAX_LIMIT)));
}
