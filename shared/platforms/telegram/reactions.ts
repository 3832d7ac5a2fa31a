/**
 * What Crier keeps of a Telegram channel's reactions between readings. The Bot API shows a
 * bot no views and no history; a bot that administers a channel is sent a
 * `message_reaction_count` update, with each reaction's new total, whenever a post's
 * anonymous reactions change, if it asks for that update type. Updates wait on Telegram's
 * side (for at most 24 hours) until a getUpdates call with a higher offset confirms them, so
 * each reading takes what is waiting, folds it into the latest total per message, and keeps
 * that tally and the next offset in the channel's session (docs/networks.md, Engagement
 * metrics, Telegram).
 */
import * as z from 'zod';
import { parseJson } from '../../domain/json';

/** The messages whose totals are kept: the ones whose reactions changed most recently. */
export const MAX_TALLIED = 400;
/** A message whose reactions have not changed for this long is forgotten (readings end at 7 days). */
export const TALLY_DAYS = 10;

const tallySchema = z.object({
  /** the next update to ask for: one past the last one folded */
  offset: z.number().int().min(0),
  /** `<chat id>/<message id>` -> [total reactions, when they last changed (Unix seconds)] */
  totals: z.record(z.string(), z.tuple([z.number().int().min(0), z.number().int().min(0)])),
});
export type ReactionTally = z.output<typeof tallySchema>;

const sessionSchema = z.object({ reactions: tallySchema });

export const emptyTally = (): ReactionTally => ({ offset: 0, totals: {} });

/** The tally kept in the session; a fresh one when there is none or it does not parse. */
export function tallyFrom(session: string | undefined): ReactionTally {
  if (!session) return emptyTally();
  const parsed = parseJson(sessionSchema, session);
  return parsed.success ? parsed.data.reactions : emptyTally();
}

export const sessionOf = (tally: ReactionTally): string => JSON.stringify({ reactions: tally });

const updateSchema = z.object({
  update_id: z.number().int().min(0),
  message_reaction_count: z
    .object({
      chat: z.object({ id: z.number().int() }),
      message_id: z.number().int().positive(),
      date: z.number().int().min(0),
      reactions: z.array(z.object({ total_count: z.number().int().min(0) })),
    })
    .optional(),
});

/**
 * Folds one page of getUpdates into the tally: each update's totals replace the message's
 * (they are totals, not changes), and the offset moves past every update seen, whatever
 * its type. Undefined when the page is not a list of updates.
 */
export function fold(tally: ReactionTally, page: unknown): ReactionTally | undefined {
  const updates = z.array(updateSchema).safeParse(page);
  if (!updates.success) return undefined;
  const totals = { ...tally.totals };
  let { offset } = tally;
  for (const update of updates.data) {
    offset = Math.max(offset, update.update_id + 1);
    const counted = update.message_reaction_count;
    if (!counted) continue;
    const key = `${counted.chat.id}/${counted.message_id}`;
    const known = totals[key];
    // Telegram groups updates; an older one must not undo a newer total.
    if (known && known[1] > counted.date) continue;
    const total = counted.reactions.reduce((sum, r) => sum + r.total_count, 0);
    totals[key] = [total, counted.date];
  }
  return { offset, totals };
}

/**
 * Drops what no reading will ask for again: messages quiet for TALLY_DAYS before the
 * latest change Telegram reported (its clock, not ours), and the oldest beyond the cap.
 */
export function prune(tally: ReactionTally): ReactionTally {
  const latest = Math.max(0, ...Object.values(tally.totals).map(([, changed]) => changed));
  const since = latest - TALLY_DAYS * 86_400;
  const kept = Object.entries(tally.totals)
    .filter(([, [, changed]]) => changed >= since)
    .sort(([, a], [, b]) => b[1] - a[1])
    .slice(0, MAX_TALLIED);
  return { offset: tally.offset, totals: Object.fromEntries(kept) };
}
