/**
 * The who-am-I check's own answers, before and without a network: fields that are wrong
 * are named with no call made, a network nobody answers at is said so, and never with a
 * credential in the words.
 */
import { describe, expect, it } from 'vitest';
import { redact, verifyCredentials } from '../../../shared/platforms/verify';

describe('verifyCredentials', () => {
  it('names the wrong fields without calling the network', async () => {
    const result = await verifyCredentials('mastodon', {
      url: 'not a url',
      accessToken: 'abc def',
    });
    expect(result).toMatchObject({ ok: false, kind: 'invalid' });
    expect(!result.ok && result.reason).toMatch(/url/);
    expect(!result.ok && result.reason).not.toContain('abc def');
  });

  it.each([
    ['mastodon', { url: 'http://127.0.0.1:1', accessToken: 'secret-token-123' }],
    [
      'bluesky',
      { service: 'http://127.0.0.1:1', identifier: 'a.test', password: 'secret-token-123' },
    ],
    [
      'linkedin',
      { accessToken: 'secret-token-123', author: 'urn:li:person:1', apiBase: 'http://127.0.0.1:1' },
    ],
    ['threads', { accessToken: 'secret-token-123', apiBase: 'http://127.0.0.1:1' }],
  ] as const)(
    '%s: a network nobody answers at is refused as unreachable',
    async (platform, credentials) => {
      const result = await verifyCredentials(platform, credentials);
      expect(result).toMatchObject({ ok: false, kind: 'refused' });
      expect(!result.ok && result.reason).toMatch(/could not be reached|answered/);
      expect(!result.ok && result.reason).not.toContain('secret-token-123');
    },
  );
});

describe('redact', () => {
  it('blanks the secrets out of a reason and leaves the channel, Page or instance it names', () => {
    const telegram = {
      botToken: '7000000001:AAabcdefghijklmnopqrstuvwxyz0123456',
      chatId: '@newsroom_archive',
    };
    expect(
      redact(
        'Telegram: the bot @crier_bot is administrator in @newsroom_archive, not an administrator allowed to post (token 7000000001:AAabcdefghijklmnopqrstuvwxyz0123456)',
        telegram,
      ),
    ).toBe(
      'Telegram: the bot @crier_bot is administrator in @newsroom_archive, not an administrator allowed to post (token <secret>)',
    );
    const mastodon = { url: 'https://social.example', accessToken: 'a-long-access-token' };
    expect(redact('https://social.example refused a-long-access-token', mastodon)).toBe(
      'https://social.example refused <secret>',
    );
  });
});
