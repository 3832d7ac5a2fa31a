/**
 * Any article the webhook contract accepts composes, for every network and template,
 * into a post its network takes (tests/support/validity.ts counts as each network does),
 * and the link is never cut where the post carries it in its text. Only a link too long
 * to fit a post around (over 200 graphemes with its UTM values) may be refused instead.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, channelSchema, siteSchema } from '../../../shared/domain/channel';
import type { Platform } from '../../../shared/domain/platform';
import { graphemeLength } from '../../../shared/domain/text';
import { shareUrl } from '../../../shared/platforms/compose/composer';
import { PostTooLongError } from '../../../shared/platforms/compose/fit';
import { composerFor, SUPPORTED_PLATFORMS } from '../../../shared/platforms/composers';
import type { ComposedPost, ComposeSettings } from '../../../shared/platforms/types';
import { everydayUrl, genericArticle, genericArticleWith } from '../../support/arbitraries';
import { linkAsShown } from '../../support/bluesky-label';
import { DEFAULT_CHANNELS } from '../../support/channels';
import { checkProperty, fuzzTimeout } from '../../support/fuzz';
import { expectValidPost } from '../../support/validity';

const utm = { source: '{platform}', medium: 'social', campaign: 'crier-{section}' };

/** Templates that put the link first, last, and among everything a template can say. */
const TEMPLATES = [
  '{url} {title}',
  '{title} — {site}\n\n{summary}\n\n{authors} {handles}\n{section} {imageCredit}\n{url}\n\n{hashtags}',
  '{hashtags} {title}: {summary} {url}',
];

function channelsFor(platform: Platform): Channel[] {
  const defaults = DEFAULT_CHANNELS.filter((channel) => channel.platform === platform);
  const variants = TEMPLATES.map((template, i) =>
    channelSchema.parse({
      id: `${platform}-variant-${i}`,
      platform,
      account: 'newsroom',
      template,
      hashtags: { max: 5, always: ['Breaking'] },
      utm,
      ...(platform === 'mastodon' ? { maxCharacters: 500 } : {}),
    }),
  );
  return [...defaults, ...variants];
}

const settings: ComposeSettings = {
  site: siteSchema.parse({ name: 'Left Voice' }),
  authors: {},
};

/** Where the post carries the link in its text (elsewhere it travels as a card or not at all). */
const LINK_IN_TEXT: readonly Platform[] = ['x', 'bluesky', 'mastodon', 'threads', 'telegram'];

/** Runs per network, sized for a shared CI machine: some composers take tens of ms a post. */
const RUNS: Partial<Record<Platform, number>> = { x: 30, mastodon: 30, bluesky: 50, threads: 50 };

/** The longest link (as shared, UTM values and all) every network must still fit a post around. */
const LONGEST_FITTED_LINK = 200;

function expectComposed(platform: Platform, channel: Channel, post: ComposedPost): void {
  expectValidPost(platform, { ...post, facets: post.facets ?? null });
  if (LINK_IN_TEXT.includes(platform) && channel.template.includes('{url}')) {
    // The link as the reader clicks it: whole, never cut or rewritten (on Bluesky, the
    // app's label, whose facet links the whole URL: expectValidPost checks it).
    expect(post.text, channel.id).toContain(linkAsShown(platform, post.url));
  }
  for (const reply of post.thread ?? []) expectValidPost(platform, { text: reply });
}

/**
 * Composes the article for each channel: a valid post with the link whole, or, only where
 * the link itself is too long to fit a post around, a PostTooLongError (the share then
 * waits as a draft, with the reason, for an editor). Never a cut link.
 */
function expectComposedOrRefused(platform: Platform, channels: Channel[], payload: unknown): void {
  const compose = composerFor(platform);
  if (!compose) throw new Error(`no composer for ${platform}`);
  const article = parseGenericArticle(payload);
  for (const channel of channels) {
    let post: ComposedPost;
    try {
      post = compose(article, channel, settings);
    } catch (error) {
      expect(error, channel.id).toBeInstanceOf(PostTooLongError);
      expect(LINK_IN_TEXT, channel.id).toContain(platform);
      const link = shareUrl(article, channel);
      expect(graphemeLength(link), `${channel.id}: ${link}`).toBeGreaterThan(LONGEST_FITTED_LINK);
      continue;
    }
    expectComposed(platform, channel, post);
  }
}

describe('composing any article', () => {
  it.each(SUPPORTED_PLATFORMS)(
    '%s: a valid post for every template, with the link whole',
    async (platform) => {
      const channels = channelsFor(platform);
      await checkProperty(
        fc.property(genericArticleWith(everydayUrl), (payload) => {
          expectComposedOrRefused(platform, channels, payload);
        }),
        RUNS[platform] ?? 80,
      );
    },
    fuzzTimeout(120_000),
  );

  it.each(SUPPORTED_PLATFORMS)(
    '%s: up to the contract limits, a valid post or, for a link too long to fit, a refusal',
    async (platform) => {
      const channels = channelsFor(platform);
      await checkProperty(
        fc.property(genericArticle, (payload) => {
          expectComposedOrRefused(platform, channels, payload);
        }),
        20,
      );
    },
    fuzzTimeout(120_000),
  );
});
