/** The audit log's diff: what an entry's before and after say changed, field by field. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHANNELS } from '../../../shared/config/default-channels';
import { auditDiff, formatAuditValue } from '../../../web/src/audit-diff';
import { fieldErrors } from '../../../web/src/field-errors';

const channel = { ...DEFAULT_CHANNELS[0], siteId: 'default', status: 'active' } as Record<
  string,
  unknown
>;

describe('auditDiff', () => {
  it('names a renamed channel with its old and new name, and nothing else', () => {
    const after = { ...channel, name: 'North on X' };
    expect(auditDiff(channel, after)).toEqual({
      kind: 'changed',
      changes: [{ field: 'name', kind: 'changed', before: channel.name, after: 'North on X' }],
    });
  });

  it('follows nested fields by their path, and takes arrays whole', () => {
    const before = { schedule: { type: 'delay', minutes: 0 }, routing: null, tags: ['a', 'b'] };
    const after = {
      schedule: { type: 'delay', minutes: 30 },
      routing: { sections: ['world'] },
      tags: ['a', 'b'],
    };
    expect(auditDiff(before, after).changes).toEqual([
      { field: 'routing.sections', kind: 'added', after: ['world'] },
      { field: 'schedule.minutes', kind: 'changed', before: 0, after: 30 },
    ]);
    expect(auditDiff(after, { ...after, tags: ['b', 'a'] }).changes).toEqual([
      { field: 'tags', kind: 'changed', before: ['a', 'b'], after: ['b', 'a'] },
    ]);
  });

  it('reads a removed field (a merge patch null) as removed', () => {
    expect(auditDiff({ name: 'X', timezone: 'Europe/Paris' }, { name: 'X' }).changes).toEqual([
      { field: 'timezone', kind: 'removed', before: 'Europe/Paris' },
    ]);
  });

  it('calls an entry with nothing before a creation, listing every field as set', () => {
    const diff = auditDiff(null, { id: 'north', name: 'The North Desk', status: 'active' });
    expect(diff.kind).toBe('created');
    expect(diff.changes.map((c) => [c.field, c.kind])).toEqual([
      ['id', 'added'],
      ['name', 'added'],
      ['status', 'added'],
    ]);
    expect(auditDiff({ id: 'north' }, null).kind).toBe('removed');
  });

  it('sees no change between the same object with its keys in another order', () => {
    const shuffled = Object.fromEntries(Object.entries(channel).reverse());
    expect(auditDiff(channel, shuffled).changes).toEqual([]);
  });

  it('lists exactly the top-level fields whose values differ, for any two flat records', () => {
    const record = fc.dictionary(
      fc.constantFrom('a', 'b', 'c', 'd'),
      fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('x', 'y')),
    );
    fc.assert(
      fc.property(record, record, (before, after) => {
        const expected = ['a', 'b', 'c', 'd'].filter((k) => before[k] !== after[k]);
        expect(auditDiff(before, after).changes.map((c) => c.field)).toEqual(expected);
      }),
    );
  });
});

describe('formatAuditValue', () => {
  it('shows strings bare, other values as JSON, and cuts long ones', () => {
    expect(formatAuditValue('North on X')).toBe('North on X');
    expect(formatAuditValue(['world', 'politics'])).toBe('["world","politics"]');
    expect(formatAuditValue(30)).toBe('30');
    expect(formatAuditValue('x'.repeat(200), 20)).toBe(`${'x'.repeat(19)}…`);
  });
});

describe('fieldErrors', () => {
  it("places a 400's failing fields by their form field, joining two on one field", () => {
    expect(
      fieldErrors([
        { field: 'name', message: 'Too small: expected string to have >=1 characters' },
        { field: 'sites.0', message: 'must be lowercase letters' },
        { field: 'sites.1', message: 'no such site' },
      ]),
    ).toEqual({
      name: 'Too small: expected string to have >=1 characters',
      sites: 'must be lowercase letters; no such site',
    });
    expect(fieldErrors(undefined)).toEqual({});
  });
});
