import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadChannelsConfig,
  parseChannelsConfig,
} from '../../../shared/config/channels';
import { PLATFORMS, THREAD_PLATFORMS } from '../../../shared/domain/platform';
import { clientFor } from '../../../shared/platforms/clients';
import { SUPPORTED_PLATFORMS } from '../../../shared/platforms/composers';

const channel = {
  id: 'x-main',
  platform: 'x',
  account: 'newsroom',
  template: '{title} {url}',
};

describe('channel configuration', () => {
  it('has one asap channel per supported network, without approval, by default', () => {
    const { channels } = loadChannelsConfig(undefined);
    expect(channels.map((c) => c.platform)).toEqual([...SUPPORTED_PLATFORMS]);
    for (const c of channels) {
      expect(c.schedule).toEqual({ type: 'asap' });
      expect(c.approval).toBe('none');
    }
  });

  it('reads the example file the README points to', () => {
    const { channels } = loadChannelsConfig('config/channels.example.json');
    expect(channels).toHaveLength(3);
    expect(channels[2]?.approval).toBe('required');
  });

  it('fills in defaults for hashtags, schedule, timezone and approval', () => {
    const [parsed] = parseChannelsConfig({ channels: [channel] }, 'test').channels;
    expect(parsed).toMatchObject({
      hashtags: { max: 2, fromSection: true, fromTags: true, always: [] },
      schedule: { type: 'asap' },
      timezone: 'UTC',
      approval: 'none',
    });
  });

  it('names every problem with its path', () => {
    const attempt = () =>
      parseChannelsConfig(
        {
          channels: [
            { ...channel, template: '{title} {link}' },
            { ...channel, id: 'Bad Id', timezone: 'Mars/Olympus' },
            channel,
          ],
        },
        'channels.json',
      );
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/channels\.0\.template: unknown placeholder \{link\}/);
    expect(attempt).toThrow(/channels\.1\.id/);
    expect(attempt).toThrow(/channels\.1\.timezone/);
  });

  it('refuses two channels with one id', () => {
    expect(() => parseChannelsConfig({ channels: [channel, channel] }, 'c.json')).toThrow(
      /channels\.1\.id: duplicate channel id x-main/,
    );
  });

  it('lists no feed by default, and gives a feed its period and backlog defaults', () => {
    expect(loadChannelsConfig(undefined).feeds).toEqual([]);
    const { feeds } = parseChannelsConfig(
      { channels: [channel], feeds: [{ id: 'main', url: 'https://news.example.org/feed/' }] },
      'c.json',
    );
    expect(feeds).toEqual([
      { id: 'main', url: 'https://news.example.org/feed/', everyMinutes: 5, backlogHours: 0 },
    ]);
  });

  it('refuses two feeds with one id, and a feed URL that is not http or https', () => {
    const feed = { id: 'main', url: 'https://news.example.org/feed/' };
    expect(() =>
      parseChannelsConfig({ channels: [channel], feeds: [feed, feed] }, 'c.json'),
    ).toThrow(/feeds\.1\.id: duplicate feed id main/);
    expect(() =>
      parseChannelsConfig(
        {
          channels: [channel],
          feeds: [{ id: 'main', url: 'file:///etc/passwd', everyMinutes: 0 }],
        },
        'c.json',
      ),
    ).toThrow(/feeds\.0\.url[\s\S]*feeds\.0\.everyMinutes/);
  });

  it('takes a thread of posts on X, Bluesky, Mastodon and Threads', () => {
    const channels = THREAD_PLATFORMS.map((platform) => ({
      ...channel,
      id: `${platform}-desk`,
      platform,
      thread: { enabled: true, max: 3 },
    }));
    const parsed = parseChannelsConfig({ channels }, 'c.json').channels;
    expect(parsed.map((c) => [c.platform, c.thread])).toEqual(
      THREAD_PLATFORMS.map((platform) => [platform, { enabled: true, max: 3 }]),
    );
  });

  it('refuses a thread of posts on the networks that take no replies, naming those that do', () => {
    const others = PLATFORMS.filter((p) => !THREAD_PLATFORMS.includes(p));
    expect(others).toEqual(['linkedin', 'facebook', 'instagram', 'telegram']);
    const attempt = () =>
      parseChannelsConfig(
        {
          channels: others.map((platform) => ({
            ...channel,
            id: `${platform}-desk`,
            platform,
            thread: { enabled: true },
          })),
        },
        'c.json',
      );
    for (const [index, platform] of others.entries()) {
      expect(attempt).toThrow(
        new RegExp(
          `channels\\.${index}\\.thread\\.enabled: ${platform} takes no threads of posts \\(only x, bluesky, mastodon, threads\\)`,
        ),
      );
    }
  });

  it('says which file could not be read or parsed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crier-config-'));
    const file = join(dir, 'channels.json');
    writeFileSync(file, '{ not json');
    expect(() => loadChannelsConfig(file)).toThrow(
      new RegExp(`Cannot read the channel configuration ${file}`),
    );
    expect(() => loadChannelsConfig(join(dir, 'missing.json'))).toThrow(/missing\.json/);
  });

  it('allows threads exactly where the network client posts replies', async () => {
    for (const platform of PLATFORMS) {
      expect([platform, Boolean((await clientFor(platform))?.replies)]).toEqual([
        platform,
        THREAD_PLATFORMS.includes(platform),
      ]);
    }
  });
});

describe('posting schedules in the channel configuration', () => {
  const parse = (extra: Record<string, unknown>) =>
    parseChannelsConfig({ channels: [{ ...channel, ...extra }] }, 'c.json').channels[0];

  it('reads weekday slots, sorted, with spacing, a cap and quiet hours', () => {
    expect(
      parse({
        timezone: 'America/La_Paz',
        schedule: {
          type: 'slots',
          slots: { mon: ['12:30', '08:00'], sat: ['10:00'] },
          minSpacingMinutes: 45,
          dailyCap: 6,
          quietHours: { from: '23:00', to: '06:00' },
        },
      })?.schedule,
    ).toEqual({
      type: 'slots',
      slots: { mon: ['08:00', '12:30'], sat: ['10:00'] },
      minSpacingMinutes: 45,
      dailyCap: 6,
      quietHours: { from: '23:00', to: '06:00' },
    });
  });

  it('names each bad slot, day, cap and quiet hour', () => {
    const attempt = () =>
      parseChannelsConfig(
        {
          channels: [
            { ...channel, schedule: { type: 'slots', slots: { mon: ['24:00', '8:00'] } } },
            { ...channel, id: 'b', schedule: { type: 'slots', slots: { monday: ['08:00'] } } },
            { ...channel, id: 'c', schedule: { type: 'slots', slots: {} } },
            {
              ...channel,
              id: 'd',
              schedule: { type: 'slots', slots: { tue: ['09:00', '09:00'] } },
            },
            { ...channel, id: 'e', schedule: { type: 'asap', dailyCap: 0 } },
            {
              ...channel,
              id: 'f',
              schedule: { type: 'asap', quietHours: { from: '22:00', to: '22:00' } },
            },
          ],
        },
        'c.json',
      );
    expect(attempt).toThrow(/channels\.0\.schedule\.slots\.mon\.0: must be a local time HH:MM/);
    expect(attempt).toThrow(/channels\.0\.schedule\.slots\.mon\.1: must be a local time HH:MM/);
    expect(attempt).toThrow(/channels\.1\.schedule\.slots: .*monday/);
    expect(attempt).toThrow(/channels\.2\.schedule\.slots: needs at least one slot/);
    expect(attempt).toThrow(/channels\.3\.schedule\.slots\.tue: lists a time twice/);
    expect(attempt).toThrow(/channels\.4\.schedule\.dailyCap/);
    expect(attempt).toThrow(/channels\.5\.schedule\.quietHours\.to: from and to must differ/);
  });

  it('refuses a slot inside the quiet hours, which could never be used', () => {
    expect(() =>
      parse({
        schedule: {
          type: 'slots',
          slots: { fri: ['08:00', '23:30'] },
          quietHours: { from: '23:00', to: '06:00' },
        },
      }),
    ).toThrow(/channels\.0\.schedule\.slots\.fri: 23:30 falls within the quiet hours 23:00-06:00/);
  });

  it('fills in evergreen re-shares: every 30 days, twice, behind "From our archive:"', () => {
    expect(parse({})?.evergreen).toEqual({ afterDays: 30, max: 2, prefix: 'From our archive:' });
  });

  it('checks evergreen templates like the channel’s own', () => {
    expect(() => parse({ evergreen: { templates: ['Still worth a read: {headline}'] } })).toThrow(
      /channels\.0\.evergreen\.templates\.0: unknown placeholder \{headline\}/,
    );
    expect(() => parse({ evergreen: { afterDays: 0 } })).toThrow(
      /channels\.0\.evergreen\.afterDays/,
    );
    expect(
      parse({ evergreen: { templates: ['Still worth a read: {title} {url}'], max: 5 } })?.evergreen,
    ).toMatchObject({
      templates: ['Still worth a read: {title} {url}'],
      max: 5,
    });
  });
});
