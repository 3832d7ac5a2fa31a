import { createServer } from 'node:http';
import { Api, GrammyError } from 'grammy';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { launchTelegramSandbox, type TelegramSandbox } from '../../../infra/local/sandbox/telegram';
import { DEFAULT_CHANNELS } from '../../../shared/config/default-channels';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { channelSchema } from '../../../shared/domain/channel';
import type { Share } from '../../../shared/domain/share';
import type { ClientCall } from '../../../shared/platforms/client';
import {
  telegramClient,
  telegramCredentialsSchema,
} from '../../../shared/platforms/telegram/client';
import { composeTelegram } from '../../../shared/platforms/telegram/composer';
import { newShare } from '../../../shared/usecases/compose-article';
import { callOf, sampleArticle as fixture, only } from '../../support/sandbox-contract';

const channel = (() => {
  const input = DEFAULT_CHANNELS.find((c) => c.platform === 'telegram');
  if (!input) throw new Error('the built-in config has no Telegram channel');
  return channelSchema.parse(input);
})();
const quiet = () => createLogger({ quiet: true });

let articles = 0;
/**
 * A share of the sample article as compose makes it and the publisher claims it, each with
 * its own article URL so a test finds its own post. The composer registry learns Telegram
 * after this lands, so the Telegram composer fills in what newShare could not.
 */
function claimedShare(overrides: Partial<Share> = {}): Share {
  articles += 1;
  const payload = z.looseObject({ id: z.string(), url: z.string() }).parse(fixture);
  const article = parseGenericArticle({
    ...payload,
    id: `${payload.id}-${articles}`,
    url: payload.url.replace(/\/$/, `-${articles}/`),
  });
  const now = new Date();
  const record = {
    articleId: `art-${articles}`,
    article,
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const { lastError: _notComposed, ...share } = newShare(record, channel, now);
  const post = composeTelegram(article, channel);
  return {
    ...share,
    status: 'publishing',
    text: post.text,
    url: post.url,
    hashtags: post.hashtags,
    card: post.card,
    media: post.media,
    language: post.language,
    length: post.length,
    firstClaimedAt: now.toISOString(),
    ...overrides,
  };
}

/** A share whose text is too long for a photo caption (over 1,024). */
function longShare(): Share {
  const share = claimedShare();
  return { ...share, text: `${'A long standfirst. '.repeat(60)}\n\n${share.url}` };
}

const grammyError = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof GrammyError ? error : undefined),
  );

describe('Telegram: the client against the sandbox', () => {
  const posts = new SandboxPosts();
  const faults = new FaultInjector(undefined, 1);
  let sandbox: TelegramSandbox;
  let botToken: string;
  let api: Api;

  const callFor = (share: Share, overrides: Partial<ClientCall> = {}) =>
    callOf(sandbox, share, overrides);
  const postsOf = (share: Share) => posts.list().filter((p) => p.text.includes(share.url));
  const messageOf = (remoteId: string) =>
    only(sandbox.messages().filter((m) => m.remoteId === remoteId));

  beforeAll(async () => {
    // Flood control gets its own sandbox below: this file posts more than 20 a minute.
    sandbox = await launchTelegramSandbox(
      { posts, faults, log: quiet() },
      { messagesPerMinute: 1_000, slowMs: 1_500 },
    );
    const credentials = telegramCredentialsSchema.parse(sandbox.credentials);
    botToken = credentials.botToken;
    api = new Api(botToken, { apiRoot: sandbox.url });
  });
  afterEach(() => faults.set(undefined));
  afterAll(() => sandbox.stop());

  it('hands back exactly the credentials the client accepts: { botToken, chatId, apiRoot }', () => {
    expect(Object.keys(sandbox.credentials).sort()).toEqual(['apiRoot', 'botToken', 'chatId']);
    expect(telegramCredentialsSchema.parse(sandbox.credentials)).toEqual(sandbox.credentials);
    expect(sandbox.credentials.chatId).toBe('@newsroom');
    expect(sandbox.account).toBe(channel.account);
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.platform).toBe('telegram');
  });

  it('posts the sample article as a photo with the text as caption: one post, same remoteId, its t.me URL and the text a reader sees', async () => {
    const share = claimedShare();
    const before = sandbox.requests().length;
    const outcome = await telegramClient.publish(callFor(share));

    expect(outcome).toMatchObject({ kind: 'published' });
    if (outcome.kind !== 'published') return;
    const { id } = sandbox.channels.newsroom;
    expect(outcome.remoteId).toMatch(new RegExp(`^${id}/\\d+$`));
    expect(outcome.remoteUrl).toBe(`https://t.me/newsroom/${outcome.remoteId.split('/')[1]}`);
    expect(sandbox.requests().slice(before)).toEqual(['sendPhoto']);
    const post = only(postsOf(share));
    expect(post).toEqual({
      platform: 'telegram',
      remoteId: outcome.remoteId,
      inReplyToId: null,
      text: share.text,
      account: '@newsroom',
      url: outcome.remoteUrl,
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      media: [{ mimeType: 'image/jpeg', bytes: 0 }],
    });
    expect(post.text).toContain('coup d’état');
    expect(messageOf(outcome.remoteId)).toMatchObject({
      kind: 'photo',
      photo: { url: share.media?.[0]?.url },
    });
  });

  it('never fetches the photo URL it is given: it records it', async () => {
    let hits = 0;
    const images = createServer((_req, res) => {
      hits += 1;
      res.end();
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    try {
      const address = images.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const url = `http://127.0.0.1:${port}/photo.jpg`;
      const outcome = await telegramClient.publish(
        callFor(claimedShare({ media: [{ url, alt: 'A photo' }] })),
      );
      if (outcome.kind !== 'published') throw new Error(`not published: ${outcome.kind}`);
      expect(messageOf(outcome.remoteId).photo?.url).toBe(url);
      expect(hits).toBe(0);
    } finally {
      await new Promise((resolve) => images.close(resolve));
    }
  });

  it('sends a text too long for a caption as a text message with a large preview of the article link', async () => {
    const share = longShare();
    expect(share.text.length).toBeGreaterThan(1024);
    const before = sandbox.requests().length;
    const outcome = await telegramClient.publish(callFor(share));
    if (outcome.kind !== 'published') throw new Error(`not published: ${outcome.kind}`);

    expect(sandbox.requests().slice(before)).toEqual(['sendMessage']);
    const post = only(postsOf(share));
    expect(post).toMatchObject({ remoteId: outcome.remoteId, text: share.text });
    expect(post.card).toEqual({ url: share.url });
    expect(post.media).toBeUndefined();
    expect(messageOf(outcome.remoteId)).toMatchObject({
      kind: 'text',
      linkPreview: { url: share.url, prefer_large_media: true },
    });
  });

  it('sends a share without an image as a text message with the preview', async () => {
    const share = claimedShare({ media: undefined });
    const outcome = await telegramClient.publish(callFor(share));
    if (outcome.kind !== 'published') throw new Error(`not published: ${outcome.kind}`);
    expect(messageOf(outcome.remoteId)).toMatchObject({ kind: 'text', text: share.text });
    expect(only(postsOf(share)).card).toEqual({ url: share.url });
  });

  it('falls back to a text message when Telegram cannot download the photo, posting once', async () => {
    faults.set('telegram:download-failed:1:1');
    const share = claimedShare();
    const before = sandbox.requests().length;
    const outcome = await telegramClient.publish(callFor(share));

    expect(outcome).toMatchObject({ kind: 'published' });
    expect(sandbox.requests().slice(before)).toEqual(['sendPhoto', 'sendMessage']);
    const post = only(postsOf(share));
    expect(post.remoteId).toBe(outcome.kind === 'published' ? outcome.remoteId : '');
    expect(post.card).toEqual({ url: share.url });
    expect(post.media).toBeUndefined();
  });

  it('posts to a private channel by its numeric id, linked as t.me/c/<id>/<message>', async () => {
    const { id } = sandbox.channels.private;
    const share = claimedShare();
    const outcome = await telegramClient.publish(
      callFor(share, { credentials: { ...sandbox.credentials, chatId: id } }),
    );
    if (outcome.kind !== 'published') throw new Error(`not published: ${outcome.kind}`);
    const messageId = outcome.remoteId.split('/')[1];
    expect(outcome.remoteId).toBe(`${id}/${messageId}`);
    expect(outcome.remoteUrl).toBe(`https://t.me/c/${String(id).slice(4)}/${messageId}`);
    expect(only(postsOf(share))).toMatchObject({ account: String(id), url: outcome.remoteUrl });
  });

  it('answers credentials that fail the schema with auth naming the fields, never their values', async () => {
    const share = claimedShare();
    const outcome = await telegramClient.publish(
      callFor(share, {
        credentials: { botToken, chatId: 'newsroom', apiRoot: 'https://api.telegram.org' },
      }),
    );
    expect(outcome).toMatchObject({ kind: 'auth' });
    if (outcome.kind !== 'auth') return;
    expect(outcome.message).toMatch(/chatId .*apiRoot must be an http URL on loopback/);
    expect(outcome.message).not.toContain(botToken);
    expect(outcome.message).not.toContain('api.telegram.org');
    expect(postsOf(share)).toHaveLength(0);
  });

  it('answers a channel the bot is not in (403) or may not post in (400 need administrator rights) with a permission refusal', async () => {
    const share = claimedShare();
    const notMember = await telegramClient.publish(
      callFor(share, { credentials: { ...sandbox.credentials, chatId: '@elsewhere' } }),
    );
    expect(notMember).toEqual({
      kind: 'auth',
      permission: true,
      message:
        'Telegram answered 403 to sendPhoto: Forbidden: bot is not a member of the channel chat',
    });
    const readOnly = await telegramClient.publish(
      callFor(share, { credentials: { ...sandbox.credentials, chatId: '@newsroom_archive' } }),
    );
    expect(readOnly).toEqual({
      kind: 'auth',
      permission: true,
      message:
        'Telegram answered 400 to sendPhoto: Bad Request: need administrator rights in the channel chat',
    });
    expect(postsOf(share)).toHaveLength(0);
  });

  it('answers getChatMember for the bot: an administrator that may post, one that may not, or not a member', async () => {
    const me = await api.getMe();
    const poster = await api.getChatMember('@newsroom', me.id);
    expect(poster).toMatchObject({ status: 'administrator', can_post_messages: true });
    const archive = await api.getChatMember('@newsroom_archive', me.id);
    expect(archive).toMatchObject({ status: 'administrator', can_post_messages: false });
    // In a channel it is not in, a bot is refused, as Telegram refuses it.
    expect((await grammyError(api.getChatMember('@elsewhere', me.id)))?.description).toMatch(
      /bot is not a member of the channel chat/,
    );
    // Only the bot itself: the sandbox knows no other member.
    expect((await grammyError(api.getChatMember('@newsroom', me.id + 1)))?.description).toMatch(
      /user not found/,
    );
  });

  it('answers an unknown channel with rejected (400 chat not found)', async () => {
    const share = claimedShare();
    const outcome = await telegramClient.publish(
      callFor(share, { credentials: { ...sandbox.credentials, chatId: '@nosuchchannel' } }),
    );
    expect(outcome).toEqual({
      kind: 'rejected',
      message: 'Telegram answered 400 to sendPhoto: Bad Request: chat not found',
    });
  });

  it('refuses a text Telegram would refuse (over 4,096 units, or empty) before calling it', async () => {
    const share = claimedShare();
    const before = sandbox.requests().length;
    const text = `${'😀'.repeat(2040)} ${share.url}`;
    expect([...text].length).toBeLessThan(4096);
    const long = await telegramClient.publish(callFor({ ...share, text }));
    expect(long).toEqual({
      kind: 'rejected',
      message: `The text is ${text.length} characters (UTF-16 code units); a Telegram message takes at most 4096`,
    });
    expect(await telegramClient.publish(callFor({ ...share, text: ' \n ' }))).toEqual({
      kind: 'rejected',
      message: 'The text is empty',
    });
    expect(sandbox.requests().length).toBe(before);
  });

  it('answers a 429 with rate until retry_after, refuses creates until then, and posts after it', async () => {
    faults.set('telegram:429:1:1');
    const share = claimedShare();
    const before = Date.now();
    const limited = await telegramClient.publish(callFor(share));

    expect(limited).toMatchObject({
      kind: 'rate',
      message: 'Telegram answered 429 to sendPhoto: Too Many Requests: retry after 1',
    });
    if (limited.kind !== 'rate') return;
    const until = Date.parse(limited.until);
    expect(limited.until).toBe(new Date(until).toISOString());
    expect(until).toBeGreaterThanOrEqual(before + 1_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 1_100);

    // The rule fired once; what refuses now is the bot's own wait, in Telegram's shape.
    const refusal = await grammyError(api.sendMessage('@newsroom', 'Still waiting'));
    expect(refusal).toMatchObject({
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    expect(postsOf(share)).toHaveLength(0);

    await vi.waitFor(
      async () =>
        expect(await telegramClient.publish(callFor(share))).toMatchObject({ kind: 'published' }),
      { timeout: 5_000, interval: 100 },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(until - 1_000);
    expect(postsOf(share)).toHaveLength(1);
  });

  it('answers a reset connection with unknown: it could have been posted, though here it was not', async () => {
    faults.set('telegram:reset:1:1');
    const share = claimedShare();
    expect(await telegramClient.publish(callFor(share))).toMatchObject({
      kind: 'unknown',
      message: expect.stringContaining('ECONNRESET'),
    });
    expect(postsOf(share)).toHaveLength(0);
  });

  it('reconciles to unsure for good (parked at once), even for a share it posted, and never calls Telegram', async () => {
    const share = claimedShare();
    expect(await telegramClient.publish(callFor(share))).toMatchObject({ kind: 'published' });
    const before = sandbox.requests().length;
    const outcome = await telegramClient.reconcile(callFor(share));
    expect(outcome).toEqual({
      kind: 'unsure',
      never: true,
      reason:
        "Telegram's Bot API cannot read a channel's history, so Crier cannot tell whether the post went out: look in https://t.me/newsroom and record or retry it by hand",
    });
    const broken = await telegramClient.reconcile(callFor(share, { credentials: {} }));
    expect(broken).toMatchObject({
      kind: 'unsure',
      reason: expect.stringContaining('the channel'),
    });
    expect(sandbox.requests().length).toBe(before);
  });

  it('refuses what Telegram refuses, with its descriptions, counting code points by default', async () => {
    const refusal = (promise: Promise<unknown>) =>
      grammyError(promise).then((e) => e && { code: e.error_code, said: e.description });
    expect(await refusal(api.sendMessage('', 'No chat'))).toEqual({
      code: 400,
      said: 'Bad Request: chat_id is empty',
    });
    expect(await refusal(api.sendMessage('@newsroom', ' \n '))).toEqual({
      code: 400,
      said: 'Bad Request: message text is empty',
    });
    expect(await refusal(api.sendMessage('@newsroom', 'x'.repeat(4097)))).toEqual({
      code: 400,
      said: 'Bad Request: message is too long',
    });
    expect(
      await refusal(
        api.sendPhoto('@newsroom', 'https://example.org/a.jpg', { caption: 'x'.repeat(1025) }),
      ),
    ).toEqual({ code: 400, said: 'Bad Request: message caption is too long' });
    expect(await refusal(api.sendPhoto('@newsroom', 'not-a-file-id'))).toEqual({
      code: 400,
      said: 'Bad Request: wrong file identifier/HTTP URL specified',
    });
    expect(await refusal(api.sendPhoto('@newsroom', ''))).toEqual({
      code: 400,
      said: 'Bad Request: there is no photo in the request',
    });
    // 4,096 astral emoji are 8,192 UTF-16 units: Telegram took them when measured.
    const emoji = await api.sendMessage('@newsroom', '😀'.repeat(4096));
    expect(emoji.text).toHaveLength(8192);
  });

  it('parses HTML mode into the text a reader sees and entities, and refuses a tag it does not know', async () => {
    const sent = await api.sendMessage(
      '@newsroom',
      '<b>Breaking</b> &amp; <a href="https://example.org/a">more</a> 😀 #Bolivia example.org',
      { parse_mode: 'HTML' },
    );
    expect(sent.text).toBe('Breaking & more 😀 #Bolivia example.org');
    // Offsets count UTF-16 units: the emoji is two.
    expect(sent.entities).toEqual([
      { type: 'bold', offset: 0, length: 8 },
      { type: 'text_link', offset: 11, length: 4, url: 'https://example.org/a' },
      { type: 'hashtag', offset: 19, length: 8 },
      { type: 'url', offset: 28, length: 11 },
    ]);
    expect(sent.link_preview_options).toEqual({ url: 'https://example.org/a' });
    expect(posts.list().at(-1)?.text).toBe(sent.text);

    const bad = await grammyError(
      api.sendMessage('@newsroom', 'A <blink>tag</blink>', { parse_mode: 'HTML' }),
    );
    expect(bad?.description).toBe(
      'Bad Request: can\'t parse entities: Unsupported start tag "blink" at byte offset 2',
    );
  });

  it('edits a text message in place (same remoteId, new text) and refuses an edit that changes nothing', async () => {
    const sent = await api.sendMessage('@newsroom', 'First words https://example.org/e');
    const remoteId = `${sent.chat.id}/${sent.message_id}`;
    const edited = await api.editMessageText(
      '@newsroom',
      sent.message_id,
      'Better words https://example.org/e',
    );
    expect(edited).toMatchObject({
      message_id: sent.message_id,
      text: 'Better words https://example.org/e',
    });
    expect(only(posts.list().filter((p) => p.remoteId === remoteId)).text).toBe(
      'Better words https://example.org/e',
    );

    const same = await grammyError(
      api.editMessageText('@newsroom', sent.message_id, 'Better words https://example.org/e'),
    );
    expect(same?.description).toMatch(/^Bad Request: message is not modified/);

    const photo = await api.sendPhoto('@newsroom', 'https://example.org/p.jpg', { caption: 'Old' });
    const noText = await grammyError(api.editMessageText('@newsroom', photo.message_id, 'New'));
    expect(noText?.description).toBe('Bad Request: there is no text in the message to edit');
    const recaptioned = await api.editMessageCaption('@newsroom', photo.message_id, {
      caption: 'New caption',
    });
    expect(recaptioned).toMatchObject({ caption: 'New caption' });
  });

  it('deletes a message: its post goes, and a second delete is "message to delete not found"', async () => {
    const sent = await api.sendMessage('@newsroom', 'To be deleted');
    const remoteId = `${sent.chat.id}/${sent.message_id}`;
    expect(posts.list().some((p) => p.remoteId === remoteId)).toBe(true);
    expect(await api.deleteMessage('@newsroom', sent.message_id)).toBe(true);
    expect(posts.list().some((p) => p.remoteId === remoteId)).toBe(false);
    const again = await grammyError(api.deleteMessage('@newsroom', sent.message_id));
    expect(again).toMatchObject({
      error_code: 400,
      description: 'Bad Request: message to delete not found',
    });
  });

  it('serves getMe and getChat, answers an unknown method and a path outside /bot<token>/ with 404', async () => {
    expect(await api.getMe()).toMatchObject({ is_bot: true, username: sandbox.bot.username });
    expect(await api.getChat('@newsroom')).toMatchObject({
      id: sandbox.channels.newsroom.id,
      type: 'channel',
      username: 'newsroom',
    });
    expect(await grammyError(api.getChat('@nosuchchannel'))).toMatchObject({
      error_code: 400,
      description: 'Bad Request: chat not found',
    });
    const unknown = await fetch(`${sandbox.url}/bot${botToken}/sendTelepathy`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
    expect((await fetch(`${sandbox.url}/getMe`)).status).toBe(404);
    // Method names are case-insensitive, and parameters may come in the query string.
    const lower = await fetch(`${sandbox.url}/bot${botToken}/getchat?chat_id=%40newsroom`);
    expect(await lower.json()).toMatchObject({ ok: true, result: { username: 'newsroom' } });
  });
});

describe('Telegram: flood control and time', () => {
  it('answers the 21st message in a minute with flood control: rate until retry_after, about a minute on', async () => {
    const posts = new SandboxPosts();
    const sandbox = await launchTelegramSandbox(
      { posts, faults: new FaultInjector(undefined, 1), log: quiet() },
      { messagesPerMinute: 2 },
    );
    try {
      const call = (share: Share): ClientCall => ({
        share,
        account: sandbox.account,
        credentials: sandbox.credentials,
        timeoutMs: 5_000,
      });
      for (let i = 0; i < 2; i++) {
        expect(await telegramClient.publish(call(claimedShare()))).toMatchObject({
          kind: 'published',
        });
      }
      const outcome = await telegramClient.publish(call(claimedShare()));
      expect(outcome).toMatchObject({
        kind: 'rate',
        message: expect.stringMatching(
          /^Telegram answered 429 to sendPhoto: Too Many Requests: retry after (59|60)$/,
        ),
      });
      if (outcome.kind !== 'rate') return;
      expect(Date.parse(outcome.until) - Date.now()).toBeGreaterThan(58_000);
      expect(posts.list()).toHaveLength(2);
    } finally {
      await sandbox.stop();
    }
  });

  it('refuses to delete a channel post older than 48 hours ("message can\'t be deleted") and still edits it', async () => {
    let now = Date.now();
    const sandbox = await launchTelegramSandbox(
      { posts: new SandboxPosts(), faults: new FaultInjector(undefined, 1), log: quiet() },
      { clock: () => now },
    );
    try {
      const { botToken } = telegramCredentialsSchema.parse(sandbox.credentials);
      const api = new Api(botToken, { apiRoot: sandbox.url });
      const sent = await api.sendMessage('@newsroom', 'Old news');
      now += 48 * 60 * 60_000 + 1_000;
      expect(await grammyError(api.deleteMessage('@newsroom', sent.message_id))).toMatchObject({
        error_code: 400,
        description: "Bad Request: message can't be deleted",
      });
      expect(
        await api.editMessageText('@newsroom', sent.message_id, 'Corrected news'),
      ).toMatchObject({
        text: 'Corrected news',
        edit_date: Math.floor(now / 1000),
      });
    } finally {
      await sandbox.stop();
    }
  });

  it('counts UTF-16 units when told to, refusing 4,096 astral emoji', async () => {
    const sandbox = await launchTelegramSandbox(
      { posts: new SandboxPosts(), faults: new FaultInjector(undefined, 1), log: quiet() },
      { lengthUnit: 'utf-16' },
    );
    try {
      const { botToken } = telegramCredentialsSchema.parse(sandbox.credentials);
      const api = new Api(botToken, { apiRoot: sandbox.url });
      expect(await grammyError(api.sendMessage('@newsroom', '😀'.repeat(2049)))).toMatchObject({
        description: 'Bad Request: message is too long',
      });
      expect(await api.sendMessage('@newsroom', '😀'.repeat(2048))).toMatchObject({
        message_id: 1,
      });
    } finally {
      await sandbox.stop();
    }
  });
});
