/** Sites' keys, changes and editors over the in-memory directory and access store. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Editor } from '../../../shared/domain/editor';
import { ConflictError, NotFoundError, ValidationError } from '../../../shared/domain/errors';
import {
  createEditor,
  createSite,
  patchSite,
  revokeEditor,
  rotateSiteKey,
  type SitesDeps,
} from '../../../shared/usecases/sites';
import {
  InMemoryAccessStore,
  InMemoryChannelDirectory,
  InMemoryChannelTimeline,
  InMemoryShareStore,
  ManualClock,
} from '../../support/in-memory/index';

const admin: Editor = { by: 'lena', role: 'admin', sites: 'all' };
let clock: ManualClock;
let directory: InMemoryChannelDirectory;
let access: InMemoryAccessStore;
let deps: SitesDeps;

beforeEach(async () => {
  clock = new ManualClock();
  directory = new InMemoryChannelDirectory(clock);
  access = new InMemoryAccessStore();
  const shares = new InMemoryShareStore();
  deps = { directory, access, timeline: new InMemoryChannelTimeline(shares), shares, clock };
  await createSite(deps, { id: 'north', name: 'The North Desk' }, admin);
});

const auditOf = async () => (await directory.listAudit({ limit: 100 })).entries;

describe('createSite', () => {
  it('makes a key of each kind, in its format, and the site’s group', async () => {
    const made = await createSite(deps, { id: 'south', name: 'The South Desk' }, admin);
    expect(made.webhookSecret).toMatch(/^whsec_/);
    expect(made.wordpressSecret).toMatch(/^whsec_/);
    expect(made.ghostSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(await access.webhookKeys('south', 'generic')).toEqual([made.webhookSecret]);
    expect(await access.webhookKeys('south', 'wordpress')).toEqual([made.wordpressSecret]);
    expect(await access.webhookKeys('south', 'ghost')).toEqual([made.ghostSecret]);
    expect([...access.siteGroups]).toEqual(['north', 'south']);
  });

  it('refuses an invalid site before making its group or keys', async () => {
    await expect(
      createSite(deps, { id: 'east', name: 'East', brand: { accent: 'red' } }, admin),
    ).rejects.toThrow(ValidationError);
    expect(access.siteGroups.has('east')).toBe(false);
    expect(access.keys.has('east/generic')).toBe(false);
    expect(await directory.getSite('east')).toBeUndefined();
  });
});

describe('rotateSiteKey', () => {
  it('replaces the one kind’s key, and audits the kind without the key', async () => {
    const before = await access.webhookKeys('north', 'generic');
    clock.advance(1000);
    const { kind, webhookSecret } = await rotateSiteKey(deps, 'north', 'ghost', admin);
    expect(kind).toBe('ghost');
    expect((await access.webhookKeys('north', 'ghost'))[0]).toBe(webhookSecret);
    expect(await access.webhookKeys('north', 'generic')).toEqual(before);
    const [entry] = await auditOf();
    expect(entry).toMatchObject({
      who: 'lena',
      action: 'site.key-rotated',
      target: 'site:north',
      siteId: 'north',
      before: { kind: 'ghost' },
      after: { kind: 'ghost' },
    });
    expect(JSON.stringify(await auditOf())).not.toContain(webhookSecret);
  });

  it('refuses an unknown site, writing nothing', async () => {
    const entries = await auditOf();
    await expect(rotateSiteKey(deps, 'nowhere', 'generic', admin)).rejects.toThrow(NotFoundError);
    expect(access.keys.has('nowhere/generic')).toBe(false);
    expect(await auditOf()).toEqual(entries);
  });
});

describe('patchSite', () => {
  it('merges the brand, unsets staleAfterHours with null, and pauses, each audited', async () => {
    clock.advance(1000);
    await patchSite(deps, 'north', { brand: { accent: '#0055ff' }, staleAfterHours: 12 }, admin);
    clock.advance(1000);
    const { site } = await patchSite(
      deps,
      'north',
      { staleAfterHours: null, status: 'paused', version: 2 },
      admin,
    );
    expect(site).toMatchObject({
      status: 'paused',
      version: 4,
      brand: { accent: '#0055ff', foreground: '#ffffff' },
    });
    expect(site).not.toHaveProperty('staleAfterHours');
    expect((await auditOf()).slice(0, 3).map((e) => e.action)).toEqual([
      'pause',
      'update',
      'update',
    ]);
  });

  it('merges the channel defaults, which a channel written later takes', async () => {
    await patchSite(deps, 'north', { defaults: { template: '{site}: {title} {url}' } }, admin);
    const { site } = await patchSite(
      deps,
      'north',
      { defaults: { templates: { mastodon: '{title}\n{url}' } } },
      admin,
    );
    expect(site).toMatchObject({
      defaults: { template: '{site}: {title} {url}', templates: { mastodon: '{title}\n{url}' } },
    });
    const channel = await directory.putChannel(
      { id: 'north-x', platform: 'x', account: '@north', siteId: 'north' } as never,
      { who: 'test' },
    );
    expect(channel.template).toBe('{site}: {title} {url}');
    const cleared = await patchSite(deps, 'north', { defaults: null }, admin);
    expect(cleared.site).not.toHaveProperty('defaults');
  });

  it('refuses a stale version with a conflict and an invalid site with the fields, writing nothing', async () => {
    const entries = await auditOf();
    await expect(patchSite(deps, 'north', { name: 'X', version: 7 }, admin)).rejects.toThrow(
      ConflictError,
    );
    await expect(
      patchSite(deps, 'north', { brand: { accent: 'red' }, status: 'paused' }, admin),
    ).rejects.toThrow(ValidationError);
    expect(await auditOf()).toEqual(entries);
    expect((await directory.getSite('north'))?.status).toBe('active');
  });
});

describe('editors', () => {
  it('audits an editor made and revoked with name, role and sites, never the token', async () => {
    clock.advance(1000);
    const { editor, token } = await createEditor(
      deps,
      { name: 'ana', role: 'editor', sites: ['north'] },
      admin,
    );
    clock.advance(1000);
    await revokeEditor(deps, editor.id, admin);
    const [revoked, created] = await auditOf();
    expect(created).toMatchObject({
      action: 'editor.created',
      target: `editor:${editor.id}`,
      siteId: '*',
      after: { name: 'ana', role: 'editor', sites: ['north'] },
    });
    expect(created?.before).toBeUndefined();
    expect(revoked).toMatchObject({
      action: 'editor.revoked',
      before: { name: 'ana', role: 'editor', sites: ['north'] },
    });
    expect(JSON.stringify(await auditOf())).not.toContain(String(token));
  });

  it('refuses a site that does not exist, making no editor', async () => {
    await expect(
      createEditor(deps, { name: 'bo', role: 'editor', sites: ['north', 'atlantis'] }, admin),
    ).rejects.toThrow(ValidationError);
    expect(access.editors.size).toBe(0);
  });
});
