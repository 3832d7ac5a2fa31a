/** A channels file into the channel directory and back, on the in-memory directory. */
import { describe, expect, it } from 'vitest';
import { parseChannelsConfig } from '../../../shared/config/channels';
import {
  applyImport,
  describePlan,
  exportChannels,
  planImport,
  planIsEmpty,
} from '../../../shared/usecases/import-channels';
import { InMemoryChannelDirectory, ManualClock } from '../../support/in-memory/index';

const channel = (id: string, platform: string, extra: Record<string, unknown> = {}) => ({
  id,
  platform,
  account: `desk-${id}`,
  template: '{title} {url}',
  ...extra,
});

const file = (channels: unknown[], site: unknown = { name: 'The Daily' }) =>
  parseChannelsConfig({ site, channels }, 'test');

async function imported(config: ReturnType<typeof file>, siteId = 'daily') {
  const directory = new InMemoryChannelDirectory(new ManualClock());
  await applyImport(directory, await planImport(directory, config, siteId), 'test');
  return directory;
}

describe('planImport and applyImport', () => {
  it('plans a new site and its channels, and then nothing the second time', async () => {
    const config = file([channel('x', 'x'), channel('masto', 'mastodon')]);
    const directory = new InMemoryChannelDirectory(new ManualClock());
    const plan = await planImport(directory, config, 'daily');
    expect(plan).toMatchObject({ site: { action: 'add' }, added: ['x', 'masto'], changed: [] });
    expect(describePlan(plan)).toBe(
      '+ site daily\n+ channel x\n+ channel masto\n2 added, 0 changed, 0 archived, 0 unchanged',
    );
    await applyImport(directory, plan, 'test');
    const again = await planImport(directory, config, 'daily');
    expect(planIsEmpty(again)).toBe(true);
    expect(describePlan(again)).toBe('No changes (0 added, 0 changed, 0 archived, 2 unchanged).');
  });

  it('names changed fields of the site and channels, and archives what the file leaves out', async () => {
    const directory = await imported(file([channel('x', 'x'), channel('masto', 'mastodon')]));
    const plan = await planImport(
      directory,
      file([channel('x', 'x', { approval: 'required' })], {
        name: 'The Daily',
        url: 'https://d.example',
      }),
      'daily',
    );
    expect(plan.site).toEqual({ action: 'change', fields: ['url'] });
    expect(plan.changed).toEqual([{ id: 'x', fields: ['approval'] }]);
    expect(plan.archived).toEqual(['masto']);
    await applyImport(directory, plan, 'test');
    expect((await directory.getChannel('masto'))?.status).toBe('archived');
    expect((await directory.getSite('daily'))?.url).toBe('https://d.example');
  });

  it('keeps a paused channel paused, restores an archived one, and leaves other sites alone', async () => {
    const config = file([channel('x', 'x'), channel('masto', 'mastodon')]);
    const directory = await imported(config);
    await applyImport(
      directory,
      await planImport(directory, file([channel('weekly-x', 'x')], { name: 'W' }), 'weekly'),
      'test',
    );
    await directory.pauseChannel('x', { who: 'test' });
    await directory.archiveChannel('masto', { who: 'test' });
    const plan = await planImport(directory, config, 'daily');
    expect(plan.changed).toEqual([{ id: 'masto', fields: ['status'] }]);
    expect(plan.archived).toEqual([]);
    await applyImport(directory, plan, 'test');
    expect((await directory.getChannel('x'))?.status).toBe('paused');
    expect((await directory.getChannel('masto'))?.status).toBe('active');
    expect((await directory.getChannel('weekly-x'))?.status).toBe('active');
  });

  it('exports a site as a file that parses and imports back with no change', async () => {
    const directory = await imported(
      file([channel('x', 'x', { schedule: { type: 'slots', slots: { mon: ['09:00'] } } })]),
    );
    const exported = await exportChannels(directory, 'daily');
    expect(exported?.channels.map((c) => c.id)).toEqual(['x']);
    const config = parseChannelsConfig(JSON.parse(JSON.stringify(exported)), 'export');
    expect(planIsEmpty(await planImport(directory, config, 'daily'))).toBe(true);
    expect(await exportChannels(directory, 'nope')).toBeUndefined();
  });
});
