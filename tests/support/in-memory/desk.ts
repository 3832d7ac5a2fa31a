/**
 * The newsroom the publishing use-case tests start from, made fresh before each test: an
 * in-memory world at one fixed instant, a scripted network client, one channel and one
 * article stored as ingest stores it.
 */
import type { Channel } from '../../../shared/domain/channel';
import type { ArticleRecord } from '../../../shared/domain/ports';
import { channelOf, storeArticle } from './fixtures';
import { type InMemoryWorld, inMemoryWorld, ScriptedClient } from './index';

/** The instant every desk starts at. */
export const START = '2026-03-02T09:00:00.000Z';

/** The instant `offsetMs` after START, as the stores write it. */
export const at = (offsetMs: number): string =>
  new Date(Date.parse(START) + offsetMs).toISOString();

export interface Desk {
  world: InMemoryWorld;
  client: ScriptedClient;
  channel: Channel;
  record: ArticleRecord;
}

/**
 * A world at START with a Mastodon channel `masto-desk`, a client with nothing scripted
 * and a stored article, each replaceable: `article` patches the stored article.
 */
export async function deskOf(
  options: { client?: ScriptedClient; channel?: Channel; article?: Record<string, unknown> } = {},
): Promise<Desk> {
  const world = inMemoryWorld(START);
  return {
    world,
    client: options.client ?? new ScriptedClient(),
    channel: options.channel ?? channelOf({ id: 'masto-desk' }),
    record: await storeArticle(world, options.article),
  };
}
