/** The directory cache: a change is seen once the TTL has passed, not before. */
import { describe, expect, it, vi } from 'vitest';
import { CachedDirectory } from '../../../shared/config/directory-cache';
import { InMemoryChannelDirectory, ManualClock } from '../../support/in-memory/index';

const who = 'test';

async function world(ttlSeconds?: number) {
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  const directory = new InMemoryChannelDirectory(clock);
  await directory.putSite({ id: 'daily', name: 'The Daily' }, { who });
  await directory.putChannel(
    {
      siteId: 'daily',
      id: 'masto',
      platform: 'mastodon',
      account: '@d@m.example',
      template: '{url}',
    },
    { who },
  );
  const cache = new CachedDirectory(
    directory,
    clock,
    ttlSeconds === undefined ? {} : { ttlSeconds },
  );
  return { clock, directory, cache };
}

describe('CachedDirectory', () => {
  it('sees a change after 60 s by default, and not before', async () => {
    const { clock, directory, cache } = await world();
    expect((await cache.activeChannels()).map((c) => c.id)).toEqual(['masto']);
    await directory.pauseChannel('masto', { who });
    clock.advanceSeconds(59);
    expect((await cache.activeChannels()).map((c) => c.id)).toEqual(['masto']);
    clock.advanceSeconds(1);
    expect(await cache.activeChannels()).toEqual([]);
    expect((await cache.snapshot()).channels[0]?.status).toBe('paused');
  });

  it('reads the table at most once per TTL, callers at the same time sharing one read', async () => {
    const { clock, directory, cache } = await world(10);
    const listSites = vi.spyOn(directory, 'listSites');
    await Promise.all([cache.snapshot(), cache.snapshot(), cache.activeChannels()]);
    expect(listSites).toHaveBeenCalledTimes(1);
    clock.advanceSeconds(9);
    await cache.snapshot();
    expect(listSites).toHaveBeenCalledTimes(1);
    clock.advanceSeconds(1);
    await cache.snapshot();
    expect(listSites).toHaveBeenCalledTimes(2);
  });

  it('counts a paused site, and an archived channel, out of the active channels', async () => {
    const { clock, directory, cache } = await world(5);
    await directory.pauseSite('daily', { who });
    clock.advanceSeconds(5);
    expect(await cache.activeChannels('daily')).toEqual([]);
    await directory.resumeSite('daily', { who });
    await directory.archiveChannel('masto', { who });
    clock.advanceSeconds(5);
    expect(await cache.activeChannels()).toEqual([]);
    expect((await cache.snapshot()).channels.map((c) => c.status)).toEqual(['archived']);
  });

  it('keeps no failed read: the next call reads again', async () => {
    const { directory, cache } = await world();
    vi.spyOn(directory, 'listSites').mockRejectedValueOnce(new Error('table down'));
    await expect(cache.snapshot()).rejects.toThrow('table down');
    expect((await cache.snapshot()).sites.map((s) => s.id)).toEqual(['daily']);
  });

  it('reads again at once after invalidate, and refuses a negative TTL', async () => {
    const { directory, cache } = await world();
    await cache.snapshot();
    await directory.pauseChannel('masto', { who });
    cache.invalidate();
    expect(await cache.activeChannels()).toEqual([]);
    expect(
      () => new CachedDirectory(directory, { now: () => new Date() }, { ttlSeconds: -1 }),
    ).toThrow();
  });
});
