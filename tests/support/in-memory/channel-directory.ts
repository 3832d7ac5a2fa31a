/**
 * The channel directory in memory: the same rules (shared/store/channel-directory.ts,
 * `TableChannelDirectory`) over records kept as DynamoDB keeps items, a JSON copy, with
 * the same conditional writes and the audit partition's key order.
 */
import type { AuditEntry, AuditPage } from '../../../shared/domain/channel-directory';
import type { Clock } from '../../../shared/domain/ports';
import {
  type AuditQuery,
  type DirectoryKind,
  type DirectoryRecords,
  TableChannelDirectory,
} from '../../../shared/store/channel-directory';
import { auditCursor, auditKey } from '../../../shared/store/keys';
import { stored } from './stores';

/** DynamoDB orders string keys by their UTF-8 bytes. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export class InMemoryDirectoryRecords implements DirectoryRecords {
  readonly items = new Map<string, Record<string, unknown>>();
  readonly auditEntries = new Map<string, AuditEntry>();

  async read(kind: DirectoryKind, id: string): Promise<Record<string, unknown> | undefined> {
    const item = this.items.get(`${kind}#${id}`);
    return item ? stored(item) : undefined;
  }

  async readAll(kind: DirectoryKind): Promise<Record<string, unknown>[]> {
    return [...this.items.entries()]
      .filter(([key]) => key.startsWith(`${kind}#`))
      .map(([, item]) => stored(item));
  }

  async write(
    kind: DirectoryKind,
    item: { id: string; version: number },
    expectedVersion: number | undefined,
  ): Promise<boolean> {
    const key = `${kind}#${item.id}`;
    const current = this.items.get(key);
    if (expectedVersion === undefined ? current : current?.version !== expectedVersion) {
      return false;
    }
    this.items.set(key, stored(item));
    return true;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const { SK } = auditKey(entry);
    if (!this.auditEntries.has(SK)) this.auditEntries.set(SK, stored(entry));
  }

  async audit(query: AuditQuery): Promise<AuditPage> {
    const after = query.cursor ? auditCursor.decode(query.cursor) : undefined;
    const keys = [...this.auditEntries.keys()]
      .sort((a, b) => byBytes(b, a))
      .filter((key) => after === undefined || byBytes(key, after) < 0)
      .filter(
        (key) => query.siteId === undefined || this.auditEntries.get(key)?.siteId === query.siteId,
      );
    const page = keys.slice(0, query.limit);
    const entries = page.flatMap((key) => {
      const entry = this.auditEntries.get(key);
      return entry ? [stored(entry)] : [];
    });
    const last = page.at(-1);
    return keys.length > query.limit && last
      ? { entries, cursor: auditCursor.encode(last) }
      : { entries };
  }
}

export class InMemoryChannelDirectory extends TableChannelDirectory {
  readonly stored: InMemoryDirectoryRecords;

  constructor(clock: Clock, records = new InMemoryDirectoryRecords()) {
    super(records, clock);
    this.stored = records;
  }
}
