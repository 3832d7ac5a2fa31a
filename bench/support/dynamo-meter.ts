/**
 * Counts DynamoDB requests and the capacity units DynamoDB on demand would bill for them,
 * from the requests and answers as they travel (AttributeValue JSON): read units as
 * dynalite reports them (asked for with ReturnConsumedCapacity), write units computed
 * here, indexes included, since dynalite leaves out what each index write costs.
 * AWS's rules: a write costs 1 unit per started KB of the larger of the old and new item;
 * each index whose entry the write puts, deletes or changes costs 1 unit per started KB
 * of that entry (the keys and what the index projects; 2 writes when the index key
 * changes: a delete and a put), and nothing when the entry stays as it was; a write
 * refused by its condition still costs the item's size. Items are sized as DynamoDB
 * sizes them: names plus values.
 */
import { z } from 'zod';
import { type IndexDefinition, TABLE } from '../../shared/resources';

type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

const itemSchema = z.record(z.string(), z.record(z.string(), z.unknown()));
const consumedSchema = z.object({ CapacityUnits: z.number() }).partial();
const outputSchema = z
  .object({
    Attributes: itemSchema.optional(),
    Item: itemSchema.optional(),
    ConsumedCapacity: z.union([consumedSchema, z.array(consumedSchema)]).optional(),
  })
  .loose();

/** Requests and answers are changed in place (the SDK holds them), so no parsed copies. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

/** Bytes of one attribute value, as DynamoDB counts them. */
function valueSize(value: AttributeValue): number {
  const [type, raw] = Object.entries(value)[0] ?? [];
  switch (type) {
    case 'S':
      return Buffer.byteLength(String(raw));
    case 'N':
      return Math.ceil(String(raw).replace(/^-/, '').replace('.', '').length / 2) + 1;
    case 'B':
      return Buffer.byteLength(String(raw), 'base64');
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
    case 'NS':
    case 'BS':
      return Array.isArray(raw) ? raw.reduce((sum: number, v) => sum + String(v).length, 0) : 0;
    case 'L':
      return Array.isArray(raw)
        ? 3 + raw.reduce((sum: number, v) => sum + 1 + valueSize(v as AttributeValue), 0)
        : 3;
    case 'M': {
      const map = itemSchema.safeParse(raw);
      return 3 + (map.success ? itemSize(map.data) + Object.keys(map.data).length : 0);
    }
    default:
      return 0;
  }
}

export function itemSize(item: Item): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value),
    0,
  );
}

const kb = (size: number) => Math.max(1, Math.ceil(size / 1024));
const keyOf = (item: Item) =>
  JSON.stringify([item[TABLE.partitionKey] ?? null, item[TABLE.sortKey] ?? null]);

/** JSON with each map's names sorted: two items with the same attributes compare equal. */
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : isRecord(value)
      ? `{${Object.keys(value)
          .sort()
          .map((name) => `${JSON.stringify(name)}:${canonical(value[name])}`)
          .join(',')}}`
      : JSON.stringify(value);

/**
 * What an index holds of an item: the table's keys, the index's keys and its projected
 * attributes; nothing when the item lacks an index key (the indexes are sparse).
 */
export function indexEntry(item: Item | undefined, index: IndexDefinition): Item | undefined {
  if (!item?.[index.partitionKey] || !item[index.sortKey]) return undefined;
  if (index.projection.type === 'ALL') return item;
  const names = [
    TABLE.partitionKey,
    TABLE.sortKey,
    index.partitionKey,
    index.sortKey,
    ...(index.projection.type === 'INCLUDE' ? index.projection.attributes : []),
  ];
  const entry: Item = {};
  for (const name of names) {
    const value = item[name];
    if (value) entry[name] = value;
  }
  return entry;
}

/**
 * The write units a table write costs in one index, as DynamoDB bills them: an entry put
 * or deleted costs its size, a key change both, a change of what the entry holds its
 * larger size, and a write that leaves the entry as it was nothing.
 */
export function indexWriteUnits(
  old: Item | undefined,
  next: Item | undefined,
  index: IndexDefinition,
): number {
  const before = indexEntry(old, index);
  const after = indexEntry(next, index);
  if (!before && !after) return 0;
  if (!before || !after) return kb(itemSize((before ?? after) as Item));
  const key = (entry: Item) => canonical([entry[index.partitionKey], entry[index.sortKey]]);
  if (key(before) !== key(after)) return kb(itemSize(before)) + kb(itemSize(after));
  if (canonical(before) === canonical(after)) return 0;
  return kb(Math.max(itemSize(before), itemSize(after)));
}

/** `ART/S` for a share's key: the first part of each key, which names the item's kind. */
function kindOf(key: unknown): string {
  const item = itemSchema.safeParse(key);
  if (!item.success) return '?';
  // A key that starts with an instant (a compose marker's) reads `time`: one kind, not one a key.
  const part = (name: string) =>
    String(item.data[name]?.S ?? '?')
      .split('#')[0]
      ?.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/, 'time');
  return `${part(TABLE.partitionKey)}/${part(TABLE.sortKey)}`;
}

/** What a request touches: the index a query reads, else the kind of item (or items). */
function touched(input: Record<string, unknown>): string {
  if (typeof input.IndexName === 'string') return `index ${input.IndexName}`;
  if (input.Key || input.Item) return kindOf(input.Key ?? input.Item);
  if (isRecord(input.ExpressionAttributeValues)) {
    const pk = input.ExpressionAttributeValues[':pk'];
    if (isRecord(pk)) return `${String(pk.S ?? '?').split('#')[0]}/*`;
  }
  return 'batch';
}

export type MeterTotals = {
  requests: Record<string, number>;
  /**
   * requests by operation and what they touch: the item's kind, from the first part of
   * its keys (`GetItem ART/S` is a share), or the index a query reads
   */
  byItem: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  /** of writeUnits, what the indexes cost */
  indexWriteUnits: number;
};

export class DynamoMeter {
  readonly totals: MeterTotals = {
    requests: {},
    byItem: {},
    readUnits: 0,
    writeUnits: 0,
    indexWriteUnits: 0,
  };
  /** the last item seen under each key, to know what a write replaces */
  private readonly items = new Map<string, Item>();

  /**
   * Adds what the meter needs to a request, in place: the consumed capacity of a read,
   * and the old (put, delete) or new (update) item of a write. Returns what to take out
   * of the answer again, so the caller gets what it asked for.
   */
  prepare(operation: string, input: Record<string, unknown>): { strip: string[] } {
    const strip: string[] = [];
    if (READS.has(operation) || WRITES.has(operation)) {
      if (input.ReturnConsumedCapacity === undefined) {
        input.ReturnConsumedCapacity = 'TOTAL';
        strip.push('ConsumedCapacity');
      }
    }
    const wanted = { PutItem: 'ALL_OLD', DeleteItem: 'ALL_OLD', UpdateItem: 'ALL_NEW' }[operation];
    if (wanted && (input.ReturnValues === undefined || input.ReturnValues === 'NONE')) {
      input.ReturnValues = wanted;
      strip.push('Attributes');
    }
    return { strip };
  }

  /** Records one answered request (`output` undefined when DynamoDB refused it). */
  record(operation: string, input: Record<string, unknown>, output: unknown): void {
    this.totals.requests[operation] = (this.totals.requests[operation] ?? 0) + 1;
    const what = `${operation} ${touched(input)}`;
    this.totals.byItem[what] = (this.totals.byItem[what] ?? 0) + 1;
    const parsed = outputSchema.safeParse(output ?? {});
    const answer = parsed.success ? parsed.data : {};
    if (READS.has(operation)) {
      const consumed = answer.ConsumedCapacity;
      const units = Array.isArray(consumed)
        ? consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0)
        : (consumed?.CapacityUnits ?? 0);
      // DynamoDB bills a query at least half a unit (a whole one when consistent), items or not.
      const least = operation === 'Query' ? (input.ConsistentRead === true ? 1 : 0.5) : 0;
      this.totals.readUnits += Math.max(units, least);
      if (answer.Item) this.items.set(keyOf(answer.Item), answer.Item);
      return;
    }
    if (operation === 'PutItem') {
      const item = itemSchema.safeParse(input.Item);
      if (!item.success) return;
      if (output === undefined) {
        this.refused(item.data);
        return;
      }
      this.write(answer.Attributes ?? this.items.get(keyOf(item.data)), item.data);
    } else if (operation === 'UpdateItem' || operation === 'DeleteItem') {
      const key = itemSchema.safeParse(input.Key);
      if (!key.success) return;
      const old = this.items.get(keyOf(key.data));
      if (output === undefined) {
        this.refused(old ?? key.data);
        return;
      }
      if (operation === 'UpdateItem') this.write(old, answer.Attributes ?? old);
      else this.write(answer.Attributes ?? old, undefined);
    } else if (operation === 'BatchWriteItem') {
      const requests = z
        .record(z.string(), z.array(z.object({ PutRequest: z.object({ Item: itemSchema }) })))
        .safeParse(input.RequestItems);
      if (!requests.success) return;
      for (const request of Object.values(requests.data).flat()) {
        const item = request.PutRequest.Item;
        this.write(this.items.get(keyOf(item)), item);
      }
    }
  }

  private refused(item: Item): void {
    this.totals.writeUnits += kb(itemSize(item));
  }

  private write(old: Item | undefined, next: Item | undefined): void {
    const size = Math.max(old ? itemSize(old) : 0, next ? itemSize(next) : 0);
    let indexUnits = 0;
    for (const index of Object.values(TABLE.indexes))
      indexUnits += indexWriteUnits(old, next, index);
    this.totals.writeUnits += kb(size) + indexUnits;
    this.totals.indexWriteUnits += indexUnits;
    const item = next ?? old;
    if (item && next) this.items.set(keyOf(item), next);
    else if (item) this.items.delete(keyOf(item));
  }
}
