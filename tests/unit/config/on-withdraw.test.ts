import { describe, expect, it } from 'vitest';
import { ConfigError, parseChannelsConfig } from '../../../shared/config/channels';
import { PLATFORMS } from '../../../shared/domain/platform';
import { WITHDRAW_SUPPORT } from '../../../shared/domain/withdrawal';

const channel = (platform: string, extra: Record<string, unknown> = {}) => ({
  id: `${platform}-desk`,
  platform,
  account: 'newsroom',
  template: '{title} {url}',
  ...extra,
});
const parse = (...channels: object[]) => parseChannelsConfig({ channels }, 'channels.json');

describe("a channel's onWithdraw", () => {
  it('keeps published posts by default', () => {
    const [parsed] = parse(channel('x')).channels;
    expect(parsed?.onWithdraw).toBe('keep');
    expect(parsed?.withdrawnText).toBeUndefined();
  });

  it('takes delete and edit where the network allows them', () => {
    const { channels } = parse(
      channel('x', { onWithdraw: 'delete' }),
      channel('mastodon', { onWithdraw: 'edit', withdrawnText: 'Withdrawn: {title} ({site})' }),
      channel('telegram', { onWithdraw: 'delete', withdrawnText: 'Withdrawn: {title}' }),
    );
    expect(channels.map((c) => c.onWithdraw)).toEqual(['delete', 'edit', 'delete']);
  });

  it.each([
    ['instagram', 'delete'],
    ['instagram', 'edit'],
    ['bluesky', 'edit'],
    ['threads', 'edit'],
    ['x', 'edit'],
  ])('refuses %s with %s, naming what the network allows', (platform, choice) => {
    const attempt = () =>
      parse(channel(platform, { onWithdraw: choice, withdrawnText: 'Withdrawn: {title}' }));
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      new RegExp(`channels\\.0\\.onWithdraw: ${platform} does not let Crier ${choice} a post`),
    );
  });

  it('lets every network keep, and allows exactly what WITHDRAW_SUPPORT lists', () => {
    for (const platform of PLATFORMS) {
      expect(() => parse(channel(platform, { onWithdraw: 'keep' }))).not.toThrow();
      for (const choice of ['delete', 'edit'] as const) {
        const allowed = WITHDRAW_SUPPORT[platform].includes(choice);
        const attempt = () =>
          parse(
            channel(platform, {
              onWithdraw: choice,
              ...(choice === 'edit' ? { withdrawnText: 'Withdrawn: {title}' } : {}),
            }),
          );
        if (allowed) expect(attempt).not.toThrow();
        else expect(attempt).toThrow(ConfigError);
      }
    }
  });

  it('needs the text for an edit, and validates its placeholders and length', () => {
    expect(() => parse(channel('facebook', { onWithdraw: 'edit' }))).toThrow(
      /channels\.0\.withdrawnText: onWithdraw "edit" needs the text/,
    );
    expect(() =>
      parse(channel('facebook', { onWithdraw: 'edit', withdrawnText: 'Gone: {summary}' })),
    ).toThrow(/unknown placeholder \{summary\}; use one of \{title\} \{url\} \{site\}/);
    expect(() =>
      parse(channel('facebook', { onWithdraw: 'edit', withdrawnText: 'x'.repeat(201) })),
    ).toThrow(/channels\.0\.withdrawnText/);
  });

  it('refuses a withdrawnText that would never be used', () => {
    expect(() => parse(channel('linkedin', { withdrawnText: 'Withdrawn' }))).toThrow(
      /only used with onWithdraw "edit" or "delete"/,
    );
    expect(() =>
      parse(channel('bluesky', { onWithdraw: 'delete', withdrawnText: 'Withdrawn' })),
    ).toThrow(/bluesky does not let Crier edit a post; leave it out/);
  });
});
