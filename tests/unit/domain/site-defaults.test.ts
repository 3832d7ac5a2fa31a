/**
 * A site's defaults: the template (by network, then the site's) and hashtag rules a
 * channel takes where it sets none, in a channels file and in the channel directory.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseChannelsConfig } from '../../../shared/config/channels';
import { withSiteDefaults } from '../../../shared/domain/channel';
import { ValidationError } from '../../../shared/domain/errors';
import { InMemoryChannelDirectory, ManualClock } from '../../support/in-memory/index';

const defaults = {
  template: '{site}: {title} {url}',
  templates: { mastodon: '{title}\n\n{summary}\n\n{url}' },
  hashtags: { always: ['Daily'], max: 1 },
};

describe('withSiteDefaults', () => {
  it("fills the network's template, else the site's, and the hashtag rules", () => {
    expect(withSiteDefaults({ id: 'm', platform: 'mastodon' }, defaults)).toEqual({
      id: 'm',
      platform: 'mastodon',
      template: defaults.templates.mastodon,
      hashtags: defaults.hashtags,
    });
    expect(withSiteDefaults({ id: 'x', platform: 'x' }, defaults)).toMatchObject({
      template: defaults.template,
    });
  });

  it("keeps the channel's own template and hashtags, and leaves it alone without defaults", () => {
    const own = { id: 'x', platform: 'x', template: '{title}', hashtags: { max: 0 } };
    expect(withSiteDefaults(own, defaults)).toEqual(own);
    expect(withSiteDefaults({ id: 'x', platform: 'x' }, undefined)).toEqual({
      id: 'x',
      platform: 'x',
    });
  });
});

describe('a channels file with site defaults', () => {
  it('gives a channel without a template the default for its network', () => {
    const config = parseChannelsConfig(
      {
        site: { name: 'The Daily', defaults },
        channels: [
          { id: 'x', platform: 'x', account: '@daily' },
          { id: 'masto', platform: 'mastodon', account: '@daily@example.social' },
          { id: 'bsky', platform: 'bluesky', account: 'daily.bsky.social', template: '{url}' },
        ],
      },
      'test',
    );
    expect(config.channels.map((c) => c.template)).toEqual([
      defaults.template,
      defaults.templates.mastodon,
      '{url}',
    ]);
    expect(config.channels[0]?.hashtags).toMatchObject({ always: ['Daily'], max: 1 });
    // the rules the site leaves out keep the channel's own defaults
    expect(config.channels[0]?.hashtags.fromSection).toBe(true);
  });

  it('still names a missing template where the site has no default, and a bad default', () => {
    const missing = () =>
      parseChannelsConfig(
        { site: { name: 'The Daily' }, channels: [{ id: 'x', platform: 'x', account: '@d' }] },
        'test',
      );
    expect(missing).toThrow(ConfigError);
    expect(missing).toThrow(/channels\.0\.template/);
    const bad = () =>
      parseChannelsConfig(
        {
          site: { name: 'The Daily', defaults: { template: '{title} {nonsense}' } },
          channels: [{ id: 'x', platform: 'x', account: '@d' }],
        },
        'test',
      );
    expect(bad).toThrow(/site\.defaults\.template/);
  });
});

describe('the channel directory with site defaults', () => {
  it("fills a new channel from its site's defaults, and again when its template is dropped", async () => {
    const directory = new InMemoryChannelDirectory(new ManualClock());
    await directory.putSite({ id: 'daily', name: 'The Daily', defaults }, { who: 'test' });
    await directory.putSite({ id: 'plain', name: 'Plain' }, { who: 'test' });

    const made = await directory.putChannel(
      { id: 'masto', platform: 'mastodon', account: '@d@example.social', siteId: 'daily' } as never,
      { who: 'test' },
    );
    expect(made.template).toBe(defaults.templates.mastodon);
    expect(made.hashtags.always).toEqual(['Daily']);

    const own = await directory.putChannel(
      { ...made, template: '{title} {url}' },
      { who: 'test', expectedVersion: made.version },
    );
    expect(own.template).toBe('{title} {url}');
    const { template: _dropped, ...withoutTemplate } = own;
    const back = await directory.putChannel(withoutTemplate as never, {
      who: 'test',
      expectedVersion: own.version,
    });
    expect(back.template).toBe(defaults.templates.mastodon);

    await expect(
      directory.putChannel({ id: 'x', platform: 'x', account: '@d', siteId: 'plain' } as never, {
        who: 'test',
      }),
    ).rejects.toThrow(ValidationError);
  });
});
