/**
 * The counter beside the editor's text box and the API agree to the character: for any
 * text (URLs with UTM parameters, emoji, CJK, combining marks, spaces around it) on every
 * network, the browser's `used` is the server's count of the text it keeps, and the
 * browser says "fits" exactly when the API takes the text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelSchema } from '../../../shared/domain/channel';
import { PostTextError, ValidationError } from '../../../shared/domain/errors';
import { PLATFORMS, type Platform } from '../../../shared/domain/platform';
import { graphemeLength } from '../../../shared/domain/text';
import { checkEditedText, textLimit } from '../../../shared/platforms/edited-text';
import { countFor } from '../../../web/src/count';
import { articleUrl, headlineText } from '../../support/arbitraries';
import { checkProperty, fuzzTimeout } from '../../support/fuzz';

const channelOf = (platform: Platform) =>
  channelSchema.parse({
    id: `${platform}-desk`,
    platform,
    account: 'desk',
    template: '{title} {url}',
  });

/** What the API answers for a PATCH of `text`: the count it keeps, and whether it took it. */
function serverVerdict(platform: Platform, text: string, limit: number) {
  try {
    const kept = checkEditedText(channelOf(platform), text, limit);
    return { accepted: true, used: kept.length.used, kept: kept.text };
  } catch (error) {
    if (error instanceof PostTextError) return { accepted: false, used: error.length.used };
    if (error instanceof ValidationError) return { accepted: false, used: 0 };
    throw error;
  }
}

const utmUrl = articleUrl.map(
  (url) =>
    `${url}${url.includes('?') ? '&' : '?'}utm_source=bluesky&utm_medium=social&utm_campaign=crier-latin-america`,
);
const space = fc.constantFrom('', ' ', '  ', '\n', '\t', ' \n ', '\u00a0', '\u3000');
const texts = fc
  .tuple(
    space,
    fc.array(fc.oneof(headlineText(12), utmUrl, articleUrl), { minLength: 1, maxLength: 5 }),
    fc.array(fc.constantFrom(' ', '\n', ' — ', ''), { minLength: 5, maxLength: 5 }),
    space,
  )
  .map(
    ([before, pieces, glue, after]) =>
      pieces
        .map((piece, i) => `${piece}${glue[i] ?? ' '}`)
        .join('')
        .replace(/^/, before) + after,
  );

describe('the browser counter and the API', () => {
  it.each(PLATFORMS)(
    '%s: same count of the kept text and the same verdict, any text, at any limit',
    async (platform) => {
      await checkProperty(
        fc.property(texts, fc.option(fc.integer({ min: 10, max: 600 })), (text, limit) => {
          const max = limit ?? textLimit(channelOf(platform));
          const browser = countFor(platform, text, limit ?? undefined);
          const server = serverVerdict(platform, text, max);
          expect(browser.limit).toBe(max);
          expect(browser.used).toBe(server.used);
          expect(browser.fits).toBe(server.accepted);
          if (platform === 'bluesky' && server.kept !== undefined) {
            // The count is the posted text's own, links and all.
            expect(server.used).toBe(graphemeLength(server.kept));
          }
        }),
        120,
      );
    },
    fuzzTimeout(60_000),
  );

  it('counts a Bluesky URL as its label, spaces around the text as nothing', () => {
    const url =
      'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/?utm_source=bluesky&utm_medium=social';
    const typed = `  Hands off Bolivia ${url}  \n`;
    expect(countFor('bluesky', typed).used).toBe(
      graphemeLength('Hands off Bolivia www.leftvoice.org/trump-declar...'),
    );
    expect(serverVerdict('bluesky', typed, 300).used).toBe(countFor('bluesky', typed).used);
  });
});
