/**
 * A Bluesky share's links through compose and an editor's edits: the stored text shows
 * each link as the app's label, the stored facets link the labels to the full URLs, and
 * an edit keeps both (a full URL typed in becomes a label; a label left in place keeps
 * its link, wherever the edit moved it).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/domain/channel';
import type { ArticleRecord } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import { graphemeLength } from '../../../shared/domain/text';
import { composeArticle } from '../../../shared/usecases/compose-article';
import { enqueueIfDue } from '../../../shared/usecases/dispatch';
import { editShare } from '../../../shared/usecases/edit-share';
import { appLinkLabel } from '../../support/bluesky-label';
import {
  channelOf,
  composeDeps,
  dispatchDeps,
  storeArticle,
} from '../../support/in-memory/fixtures';
import { type InMemoryWorld, inMemoryWorld } from '../../support/in-memory/index';

const EDITOR = { by: 'ana@desk', role: 'editor' as const };

let world: InMemoryWorld;
let channel: Channel;

beforeEach(() => {
  world = inMemoryWorld('2026-03-02T09:00:00.000Z');
  channel = channelOf({
    id: 'bsky-desk',
    platform: 'bluesky',
    account: 'desk.bsky.social',
    template: '{title}\n\n{summary}\n\n{url}',
    utm: { source: 'bluesky', medium: 'social', campaign: 'crier' },
  });
});

async function composed(): Promise<[ArticleRecord, Share]> {
  const record = await storeArticle(world, {
    url: 'https://news.example.org/2026/03/council-approves-river-crossing',
    summary: 'The council voted 7 to 2 for the bridge.',
    shareAt: '2026-03-02T12:00:00Z',
  });
  await composeArticle(composeDeps(world, [channel], { schedule: false }), {
    articleId: record.articleId,
    revision: 1,
  });
  const share = await world.shares.get({ articleId: record.articleId, channelId: channel.id });
  if (!share) throw new Error('no share');
  return [record, share];
}

const edit = (record: ArticleRecord, text: string) =>
  editShare(
    {
      articles: world.articles,
      shares: world.shares,
      channels: [channel],
      clock: world.clock,
      enqueueIfDue: (share: Share) => enqueueIfDue(dispatchDeps(world), share),
    },
    { articleId: record.articleId, key: channel.id },
    { text },
    EDITOR,
  );

/** Each link facet as the label it covers and the URL it links to. */
function links(share: Share): { label: string; uri: string }[] {
  const bytes = Buffer.from(share.text);
  return (share.facets ?? []).flatMap((facet) =>
    facet.features.flatMap((feature) =>
      feature.$type === 'app.bsky.richtext.facet#link'
        ? [
            {
              label: bytes.subarray(facet.index.byteStart, facet.index.byteEnd).toString(),
              uri: feature.uri,
            },
          ]
        : [],
    ),
  );
}

describe('a Bluesky share’s links', () => {
  it('are stored as the label in the text and a facet to the full URL, counted as the label', async () => {
    const [, share] = await composed();
    const label = appLinkLabel(share.url);
    expect(label).toBe('news.example.org/2026/03/coun...');
    expect(share.url).toContain('utm_source=bluesky');
    expect(share.text.endsWith(`\n\n${label}`)).toBe(true);
    expect(links(share)).toEqual([{ label, uri: share.url }]);
    expect(share.length?.used).toBe(graphemeLength(share.text));
  });

  it('keep their link when the editor moves the label, and a full URL typed in becomes a label', async () => {
    const [record, share] = await composed();
    const label = appLinkLabel(share.url);
    const other = 'https://news.example.org/2026/02/bridge-vote-background?utm_source=desk';
    const edited = await edit(
      record,
      `  Breaking — 橋 🌉 ${label} is the story; background: ${other}\n`,
    );
    expect(edited.text).toBe(
      `Breaking — 橋 🌉 ${label} is the story; background: ${appLinkLabel(other)}`,
    );
    expect(links(edited)).toEqual([
      { label, uri: share.url },
      { label: appLinkLabel(other), uri: other },
    ]);
    expect(edited.length?.used).toBe(graphemeLength(edited.text));

    // Saved again as it is, nothing changes: the labels are found again.
    const again = await edit(record, edited.text);
    expect(again.text).toBe(edited.text);
    expect(again.facets).toEqual(edited.facets);
  });
});
