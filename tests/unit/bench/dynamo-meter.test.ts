/** The requests benchmark's meter bills index writes as DynamoDB does, by projection. */
import { describe, expect, it } from 'vitest';
import { DynamoMeter, indexEntry, indexWriteUnits } from '../../../bench/support/dynamo-meter';
import { type IndexDefinition, TABLE } from '../../../shared/resources';

const S = (value: string) => ({ S: value });
const big = 'x'.repeat(2500);
const share = (status: string, extra: Record<string, { S: string }> = {}) => ({
  PK: S('ART#a1'),
  SK: S('S#x-main'),
  articleId: S('a1'),
  channelId: S('x-main'),
  dueAt: S('2026-12-07T10:00:00.000Z'),
  status: S(status),
  text: S(big),
  timelinePK: S('CH#x-main'),
  timelineSK: S('2026-12-07T10:00:00.000Z#a1'),
  ...extra,
});
const all: IndexDefinition = { ...TABLE.indexes.due, projection: { type: 'ALL' } };

describe('the DynamoDB meter', () => {
  it('holds in a keys-only entry the keys alone, in an INCLUDE entry the listed attributes too', () => {
    const scheduled = share('scheduled', {
      duePK: S('DUE#1'),
      dueSK: S('2026-12-07T10#a1#x-main'),
    });
    expect(Object.keys(indexEntry(scheduled, TABLE.indexes.due) ?? {}).sort()).toEqual(
      ['PK', 'SK', 'duePK', 'dueSK'].sort(),
    );
    expect(Object.keys(indexEntry(scheduled, TABLE.indexes.channelTimeline) ?? {}).sort()).toEqual(
      ['PK', 'SK', 'articleId', 'channelId', 'dueAt', 'status', 'timelinePK', 'timelineSK'].sort(),
    );
    expect(indexEntry(share('published'), TABLE.indexes.due)).toBeUndefined();
  });

  it('bills an entry put, moved, changed or dropped by its own size, and an untouched one nothing', () => {
    const due = { duePK: S('DUE#1'), dueSK: S('2026-12-07T10#a1#x-main') };
    const scheduled = share('scheduled', due);
    const edited = { ...scheduled, text: S(`${big}!`) };
    // Created: a small entry, 1 unit, where the whole item (3 KB) would cost 3.
    expect(indexWriteUnits(undefined, scheduled, TABLE.indexes.due)).toBe(1);
    expect(indexWriteUnits(undefined, scheduled, all)).toBe(3);
    // The text changed, nothing the keys-only index holds: no index write at all.
    expect(indexWriteUnits(scheduled, edited, TABLE.indexes.due)).toBe(0);
    expect(indexWriteUnits(scheduled, edited, all)).toBe(3);
    // The timeline holds the status: a status change writes its entry once.
    const queued = share('queued');
    expect(indexWriteUnits(scheduled, queued, TABLE.indexes.channelTimeline)).toBe(1);
    // Moved: a delete and a put.
    const moved = { ...scheduled, dueSK: S('2026-12-08T10#a1#x-main') };
    expect(indexWriteUnits(scheduled, moved, TABLE.indexes.due)).toBe(2);
    // Left the sparse index: a delete.
    expect(indexWriteUnits(scheduled, queued, TABLE.indexes.due)).toBe(1);
  });

  it('adds the item and every index it touches to the totals', () => {
    const meter = new DynamoMeter();
    const item = share('scheduled', { duePK: S('DUE#1'), dueSK: S('2026-12-07T10#a1#x-main') });
    meter.record('PutItem', { Item: item }, {});
    // 3 units for the item, 1 for its due entry, 1 for its timeline entry.
    expect(meter.totals).toMatchObject({ writeUnits: 5, indexWriteUnits: 2 });
  });
});
