import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHANNELS } from '../../../shared/config/default-channels';
import type { Article } from '../../../shared/domain/article';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, channelSchema } from '../../../shared/domain/channel';
import { PostTooLongError } from '../../../shared/platforms/compose/fit';
import { composeTelegram } from '../../../shared/platforms/telegram/composer';
import {
  parseTelegramCredentials,
  telegramCredentialsSchema,
} from '../../../shared/platforms/telegram/credentials';
import {
  fitsCaption,
  measureTelegram,
  TELEGRAM_MAX_CAPTION_LENGTH,
  TELEGRAM_MAX_MESSAGE_LENGTH,
  telegramMention,
} from '../../../shared/platforms/telegram/rules';

const sample = parseGenericArticle(
  JSON.parse(
    readFileSync(
      new URL('../../../tests/fixtures/webhooks/generic-article.json', import.meta.url),
      'utf8',
    ),
  ),
);

const defaultChannel = (() => {
  const input = DEFAULT_CHANNELS.find((c) => c.platform === 'telegram');
  if (!input) throw new Error('the built-in config has no Telegram channel');
  return channelSchema.parse(input);
})();

const article = (overrides: Record<string, unknown> = {}): Article =>
  parseGenericArticle({
    id: 'a1',
    url: 'https://example.org/news/a',
    title: 'Headline',
    publishedAt: '2024-05-01T10:00:00Z',
    ...overrides,
  });

const channel = (template: string, extra: Record<string, unknown> = {}): Channel =>
  channelSchema.parse({
    id: 'telegram-test',
    platform: 'telegram',
    account: '@newsroom',
    template,
    ...extra,
  });

const TOKEN = '7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0';

describe('Telegram counting', () => {
  it('counts UTF-16 code units: an astral emoji is 2, a family sequence 11, é and CJK 1', () => {
    expect(measureTelegram('Read this').used).toBe(9);
    expect(measureTelegram('😀').used).toBe(2);
    expect(measureTelegram('👨‍👩‍👧‍👦').used).toBe(11);
    expect(measureTelegram('café 東京').used).toBe(7);
  });

  it('fits 4,096 and not one more, and never an empty text', () => {
    expect(measureTelegram('x'.repeat(TELEGRAM_MAX_MESSAGE_LENGTH))).toEqual({
      used: 4096,
      fits: true,
    });
    expect(measureTelegram('x'.repeat(4097)).fits).toBe(false);
    // 2,048 emoji are 4,096 units; one more is over, however Telegram counts it.
    expect(measureTelegram('😀'.repeat(2048)).fits).toBe(true);
    expect(measureTelegram('😀'.repeat(2049)).fits).toBe(false);
    expect(measureTelegram(' \n ').fits).toBe(false);
  });

  it('takes a text as a photo caption up to 1,024 units', () => {
    expect(fitsCaption('x'.repeat(TELEGRAM_MAX_CAPTION_LENGTH))).toBe(true);
    expect(fitsCaption('x'.repeat(1025))).toBe(false);
    expect(fitsCaption(`${'x'.repeat(1023)}😀`)).toBe(false);
  });

  it('writes a mention as @username from a handle, a bare name or a t.me link', () => {
    expect(telegramMention('@ana_rivera')).toBe('@ana_rivera');
    expect(telegramMention('ana_rivera')).toBe('@ana_rivera');
    expect(telegramMention('https://t.me/ana_rivera')).toBe('@ana_rivera');
    expect(telegramMention('t.me/AnaRivera/')).toBe('@AnaRivera');
    expect(telegramMention('ana rivera')).toBeUndefined();
    expect(telegramMention('@abc')).toBeUndefined();
    expect(telegramMention('@1ana_rivera')).toBeUndefined();
  });
});

describe('the sample article on the default Telegram channel ("{title}\\n\\n{summary}\\n\\nPhoto: {imageCredit}\\n\\n{url}")', () => {
  const post = composeTelegram(sample, defaultChannel);
  const url =
    'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/?utm_source=telegram&utm_medium=social&utm_campaign=crier';

  it('keeps the headline, the whole standfirst, the photo credit and the tagged URL', () => {
    expect(post.text).toBe(
      'Trump Declares Support for Coup in Bolivia\n\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take ' +
        'place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!\n\n' +
        'Photo: EFE/Justin Lane\n\n' +
        url,
    );
    expect(post.url).toBe(url);
    expect(post.hashtags).toEqual([]);
  });

  it('counts it against 4,096 and fits a photo caption, so it goes out as the photo', () => {
    expect(post.length).toEqual({
      used: 42 + 2 + 152 + 2 + 22 + 2 + url.length,
      limit: 4096,
      unit: 'characters',
    });
    expect(post.length.used).toBe(post.text.length);
    expect(fitsCaption(post.text)).toBe(true);
  });

  it('leaves the credit line out when the article names no photo credit', () => {
    const { imageCredit: _, ...uncredited } = sample;
    expect(composeTelegram(uncredited, defaultChannel).text).toBe(
      'Trump Declares Support for Coup in Bolivia\n\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take ' +
        'place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!\n\n' +
        url,
    );
  });

  it('carries the article image and the link card the preview shows', () => {
    expect(post.media).toEqual([
      {
        url: 'https://www.leftvoice.org/wp-content/uploads/2019/11/trump-bolivia-efe.jpg',
        alt: 'Donald Trump speaking at the White House',
      },
    ]);
    expect(post.card).toEqual({
      url,
      title: 'Trump Declares Support for Coup in Bolivia',
      description:
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!',
      imageUrl: 'https://www.leftvoice.org/wp-content/uploads/2019/11/trump-bolivia-efe.jpg',
      imageAlt: 'Donald Trump speaking at the White House',
    });
    expect(post.warnings).toBeUndefined();
  });
});

describe('Telegram composer', () => {
  it('cuts a long standfirst to 4,096 units on a word and keeps the URL whole', () => {
    const summary = `${'Word '.repeat(900)}end.`;
    const post = composeTelegram(article({ summary }), channel('{title}\n\n{summary}\n\n{url}'));
    expect(post.text.endsWith('…\n\nhttps://example.org/news/a')).toBe(true);
    expect(post.text.length).toBeLessThanOrEqual(4096);
    expect(post.text.length).toBeGreaterThan(4096 - 'Word '.length - 1);
    expect(post.length).toEqual({ used: post.text.length, limit: 4096, unit: 'characters' });
    expect(fitsCaption(post.text)).toBe(false);
  });

  it('counts an emoji as two units when it cuts, so the text fits however Telegram counts', () => {
    // 980 words of 5 units (4 code points): 3,920 code points would fit, 4,900 units do not.
    const summary = `${'Hi😀 '.repeat(979)}Hi😀`;
    const post = composeTelegram(article({ summary }), channel('{summary}\n{url}'));
    expect(post.text.endsWith('Hi😀…\nhttps://example.org/news/a')).toBe(true);
    expect(post.text.length).toBeLessThanOrEqual(4096);
    expect(post.text.length).toBeGreaterThan(4096 - 6);
    expect(post.length.used).toBe(post.text.length);
    expect([...post.text].length).toBeLessThan(3400);
  });

  it('writes author handles as Telegram mentions, and names where the handle is no username', () => {
    const post = composeTelegram(
      article({
        authors: [
          { name: 'Ana Rivera', handles: { telegram: 'https://t.me/ana_rivera' } },
          { name: 'Bo Li', handles: { telegram: 'not a handle' } },
        ],
      }),
      channel('{title} by {handles} {url}'),
    );
    expect(post.text).toBe('Headline by @ana_rivera and Bo Li https://example.org/news/a');
  });

  it('adds the hashtags its template asks for, from section and tags', () => {
    const post = composeTelegram(
      sample,
      channel('{title}\n{url}\n{hashtags}', { hashtags: { max: 2 } }),
    );
    expect(post.text.split('\n').at(-1)).toBe('#LatinAmerica #Bolivia');
    expect(post.hashtags).toEqual(['LatinAmerica', 'Bolivia']);
  });

  it('carries no media and a card without image when the article has no image', () => {
    const post = composeTelegram(article({ summary: 'Standfirst' }), channel('{title} {url}'));
    expect(post.media).toBeUndefined();
    expect(post.card).toEqual({
      url: 'https://example.org/news/a',
      title: 'Headline',
      description: 'Standfirst',
    });
  });

  it("throws PostTooLongError when the template's own text is over 4,096", () => {
    expect(() => composeTelegram(article(), channel(`${'x'.repeat(4100)} {url}`))).toThrow(
      PostTooLongError,
    );
  });
});

describe('Telegram credentials', () => {
  it('takes a bot token, an @channel or a numeric id, and a loopback apiRoot without its slash', () => {
    expect(
      telegramCredentialsSchema.parse({
        botToken: TOKEN,
        chatId: '@newsroom',
        apiRoot: 'http://127.0.0.1:4100/',
      }),
    ).toEqual({ botToken: TOKEN, chatId: '@newsroom', apiRoot: 'http://127.0.0.1:4100' });
    expect(telegramCredentialsSchema.parse({ botToken: TOKEN, chatId: -1001234567890 })).toEqual({
      botToken: TOKEN,
      chatId: '-1001234567890',
    });
  });

  it('refuses an apiRoot that could carry the token off loopback or outside the root', () => {
    for (const apiRoot of [
      'https://api.telegram.org',
      'http://api.telegram.org',
      'http://127.0.0.1:4100/proxy',
      'http://user@127.0.0.1:4100',
      'http://10.0.0.5:4100',
    ]) {
      expect(
        telegramCredentialsSchema.safeParse({ botToken: TOKEN, chatId: '@newsroom', apiRoot }),
      ).toMatchObject({ success: false });
    }
  });

  it('names the wrong fields and never their values', () => {
    const parsed = parseTelegramCredentials({ botToken: 'secret-token/../x', chatId: 'newsroom' });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.message).toContain('botToken must be a bot token');
    expect(parsed.message).toContain("chatId must be the channel's @username or its numeric id");
    expect(parsed.message).not.toContain('secret-token');
    expect(parsed.message).not.toContain('newsroom');

    expect(parseTelegramCredentials({ botToken: TOKEN })).toEqual({
      ok: false,
      message:
        'Invalid Telegram credentials: chatId missing (expected { botToken, chatId, apiRoot? })',
    });
    expect(parseTelegramCredentials('token')).toMatchObject({
      ok: false,
      message: expect.stringContaining('must be an object'),
    });
  });
});
