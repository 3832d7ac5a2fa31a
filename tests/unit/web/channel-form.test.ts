/**
 * The channel form's pure side (web/src/channel-form.ts): the body and patch it makes,
 * the directory's own check placed on the form's fields, and the routing preview.
 */
import { describe, expect, it } from 'vitest';
import { checkDirectoryChannel } from '../../../shared/domain/channel-directory';
import { mergePatch } from '../../../shared/usecases/sites';
import {
  type ChannelForm,
  type ChannelRecord,
  channelOf,
  checkForm,
  formOf,
  issuesByField,
  listOf,
  patchOf,
  previewRouting,
  replacing,
  routingOf,
  routingSummary,
} from '../../../web/src/channel-form';
import { chooseSite } from '../../../web/src/site-choice';

const form = (patch: Partial<ChannelForm> = {}): ChannelForm => ({
  ...formOf('north'),
  id: 'x-north',
  platform: 'x',
  account: 'northnews',
  ...patch,
});

const stored: ChannelRecord = {
  id: 'x-north',
  platform: 'x',
  name: 'North on X',
  account: 'northnews',
  siteId: 'north',
  template: '{title} {url}',
  timezone: 'Europe/Oslo',
  approval: 'none',
  schedule: { type: 'delay', minutes: 15, dailyCap: 10 },
  routing: { sections: ['News'], exclude: { tags: ['Ads'] } },
  hashtags: { max: 2, fromSection: true, fromTags: true, always: [], stop: [] },
  status: 'active',
  version: 3,
};

describe('the channel the form makes', () => {
  it('is a channel the directory accepts, with its routing lists read from commas', () => {
    const body = channelOf(form({ sections: ' News, Politics ,', excludeTags: 'Ads' }));
    expect(body).toMatchObject({
      id: 'x-north',
      platform: 'x',
      account: 'northnews',
      siteId: 'north',
      schedule: { type: 'asap' },
      routing: { sections: ['News', 'Politics'], exclude: { tags: ['Ads'] } },
    });
    expect(body).not.toHaveProperty('name');
    expect(checkDirectoryChannel(body).ok).toBe(true);
  });

  it('leaves routing out when no list names anything', () => {
    expect(routingOf(form())).toBeUndefined();
    expect(listOf(' , ,')).toEqual([]);
  });

  it('reads a stored channel back into the same fields', () => {
    const back = formOf('other', stored);
    expect(back).toMatchObject({
      id: 'x-north',
      siteId: 'north',
      name: 'North on X',
      schedule: 'delay',
      delayMinutes: '15',
      sections: 'News',
      excludeTags: 'Ads',
    });
  });
});

describe('the patch of an edit', () => {
  it('carries the version, removes a cleared name, and replaces the routing whole', () => {
    const edited = { ...formOf('north', stored), name: '', sections: '', tags: 'Sport' };
    const patch = patchOf(edited, stored);
    expect(patch.version).toBe(3);
    expect(patch.name).toBeNull();
    expect(patch).not.toHaveProperty('id');
    const after = mergePatch(stored, patch) as Record<string, unknown>;
    expect(after.routing).toEqual({ tags: ['Sport'], exclude: { tags: ['Ads'] } });
    // The schedule's limits the form does not show stay.
    expect(after.schedule).toEqual({ type: 'delay', minutes: 15, dailyCap: 10 });
  });

  it('removes the routing when its lists are emptied, and keeps a schedule it does not edit', () => {
    const slots = { ...stored, schedule: { type: 'slots', slots: { mon: ['09:00'] } } };
    const edited = { ...formOf('north', slots), sections: '', excludeTags: '' };
    expect(edited.schedule).toBe('kept');
    const patch = patchOf(edited, slots);
    expect(patch.routing).toBeNull();
    expect(patch).not.toHaveProperty('schedule');
  });

  it('turns one object into another as a merge patch', () => {
    const before = { a: 1, b: { c: 2, d: 3 } };
    const after = { b: { c: 4 }, e: 5 };
    expect(mergePatch(before, replacing(before, after))).toEqual(after);
  });
});

describe('the check as the admin types', () => {
  it("places the directory's issues on the fields they name", () => {
    const { fields, other } = checkForm(
      form({ id: 'Bad ID', account: '', sections: 'News, ', timezone: 'Mars/Base' }),
    );
    expect(fields.id?.[0]).toContain('lowercase letters');
    expect(fields.account).toHaveLength(1);
    expect(fields.timezone?.[0]).toContain('IANA');
    expect(fields.sections).toBeUndefined();
    expect(other).toEqual([]);
  });

  it('names a bad delay and a bad language on their own fields', () => {
    const { fields } = checkForm(
      form({ schedule: 'delay', delayMinutes: 'soon', languages: 'english' }),
    );
    expect(fields.delayMinutes).toHaveLength(1);
    expect(fields.languages?.[0]).toContain('entry 1: must be a BCP 47 language tag');
  });

  it('checks what the network allows, as the directory does', () => {
    const { fields } = checkForm(form({ template: '{title} {nope}' }));
    expect(fields.template?.[0]).toContain('unknown placeholder {nope}');
  });

  it("takes an empty template from the site's defaults, and asks for one where it has none", () => {
    const empty = form({ template: '' });
    expect(checkForm(empty).fields.template).toHaveLength(1);
    expect(
      checkForm(empty, undefined, { template: '{title} {url}' }).fields.template,
    ).toBeUndefined();
    expect(
      checkForm(empty, undefined, { template: '{title} {oops}' }).fields.template?.[0],
    ).toContain('unknown placeholder {oops}');
  });

  it("places a 400's fields the same way, and keeps the unknown ones apart", () => {
    const placed = issuesByField([
      { field: 'routing.exclude.sections.0', message: 'too long' },
      { field: 'siteId', message: 'no site north' },
      { field: 'thread.enabled', message: 'no threads' },
    ]);
    expect(placed.fields).toEqual({
      excludeSections: ['entry 1: too long'],
      siteId: ['no site north'],
    });
    expect(placed.other).toEqual([{ field: 'thread.enabled', message: 'no threads' }]);
  });
});

describe('the routing preview', () => {
  const articles = [
    { id: 'a1', title: 'Match report', section: 'Sport', tags: ['Football'], priority: 'normal' },
    { id: 'a2', title: 'Budget vote', section: 'News', tags: [], language: 'en' },
  ] as const;

  it('takes every article without routing, and says why it leaves one out', () => {
    expect(previewRouting(form(), articles)?.map((r) => r.refusal)).toEqual([undefined, undefined]);
    expect(previewRouting(form({ sections: 'News' }), articles)).toEqual([
      {
        id: 'a1',
        title: 'Match report',
        section: 'Sport',
        refusal: 'section Sport not in [News]',
      },
      { id: 'a2', title: 'Budget vote', section: 'News', refusal: undefined },
    ]);
  });

  it('shows nothing while the routing itself is invalid', () => {
    expect(previewRouting(form({ priorities: 'urgent' }), articles)).toBeUndefined();
  });

  it('sums the routing up in a few words', () => {
    expect(routingSummary(null)).toBe('Every article of its site');
    expect(routingSummary(stored.routing)).toBe('sections News · not tags Ads');
  });
});

describe('the site chosen', () => {
  it('is the only one, or the one kept while it is still theirs, or all of them', () => {
    expect(chooseSite(null, ['north'])).toBe('north');
    expect(chooseSite('south', ['north'])).toBe('north');
    expect(chooseSite('south', ['north', 'south'])).toBe('south');
    expect(chooseSite('gone', ['north', 'south'])).toBeUndefined();
    expect(chooseSite(null, ['north', 'south'])).toBeUndefined();
  });
});
