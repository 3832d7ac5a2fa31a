/**
 * The channel directory (shared/domain/channel-directory.ts) over the table: sites and
 * channels in the `DIR` partition, each change one conditional write on the item's
 * version, followed by its audit entry in the `AUDIT` partition (docs/architecture.md,
 * "Data: one DynamoDB table"). `TableChannelDirectory` holds the rules once (validation,
 * versions, what is a change, what is audited) over `DirectoryRecords`, the few reads
 * and writes a table answers; tests/support/in-memory keeps its in-memory twin.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type AuditAction,
  type AuditEntry,
  type AuditNote,
  type AuditPage,
  auditEntrySchema,
  type ChannelDirectory,
  type ChannelListOptions,
  type ChannelStatus,
  checkDirectoryChannel,
  type DirectoryChannel,
  type DirectoryChannelInput,
  type DirectorySite,
  type DirectorySiteInput,
  type DirectoryWrite,
  directoryChannelSchema,
  directoryIdSchema,
  directorySiteInputSchema,
  directorySiteSchema,
  fieldIssuesOf,
  type SiteStatus,
} from '../domain/channel-directory';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import type { Clock } from '../domain/ports';
import { isConditionFailure, queryAll } from './client';
import {
  AUDIT_PK,
  auditCursor,
  auditKey,
  DIRECTORY_PK,
  directoryChannelKey,
  directorySiteKey,
} from './keys';

export type DirectoryKind = 'site' | 'channel';

export type AuditQuery = { siteId?: string; limit: number; cursor?: string };

/** What the directory needs of a table: items by kind and id, and the audit partition. */
export interface DirectoryRecords {
  read(kind: DirectoryKind, id: string): Promise<Record<string, unknown> | undefined>;
  readAll(kind: DirectoryKind): Promise<Record<string, unknown>[]>;
  /** Writes the item if its stored version is `expectedVersion` (undefined: absent); false if not. */
  write(
    kind: DirectoryKind,
    item: { id: string; version: number },
    expectedVersion: number | undefined,
  ): Promise<boolean>;
  /** Writes the entry unless it is there already (a repeat writes nothing). */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** newest first, `siteId`'s only when given; the cursor is `auditCursor` of the last key */
  audit(query: AuditQuery): Promise<AuditPage>;
}

/** JSON with its keys sorted: two items with the same content compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** The item without its version and last change: what an editor or a file says of it. */
function contentOf(item: Record<string, unknown>): Record<string, unknown> {
  const { version: _v, changedAt: _at, changedBy: _by, ...content } = item;
  return content;
}

export class TableChannelDirectory implements ChannelDirectory {
  constructor(
    private readonly records: DirectoryRecords,
    private readonly clock: Clock,
  ) {}

  async getSite(siteId: string): Promise<DirectorySite | undefined> {
    const item = await this.records.read('site', siteId);
    return item ? directorySiteSchema.parse(item) : undefined;
  }

  async listSites(): Promise<DirectorySite[]> {
    const items = await this.records.readAll('site');
    return items.map((item) => directorySiteSchema.parse(item)).sort(byId);
  }

  async putSite(input: DirectorySiteInput, write: DirectoryWrite): Promise<DirectorySite> {
    const parsed = directorySiteInputSchema.safeParse(input);
    if (!parsed.success) {
      throw new ValidationError(`Invalid site ${String(input.id)}`, fieldIssuesOf(parsed.error));
    }
    const current = await this.getSite(parsed.data.id);
    const status: SiteStatus = current?.status ?? 'active';
    return this.change('site', current, { ...parsed.data, status }, current ? 'update' : 'create', {
      ...write,
      siteId: parsed.data.id,
      schema: directorySiteSchema,
      put: true,
    });
  }

  pauseSite(siteId: string, write: DirectoryWrite): Promise<DirectorySite> {
    return this.setSiteStatus(siteId, 'paused', 'pause', write);
  }

  resumeSite(siteId: string, write: DirectoryWrite): Promise<DirectorySite> {
    return this.setSiteStatus(siteId, 'active', 'resume', write);
  }

  async getChannel(channelId: string): Promise<DirectoryChannel | undefined> {
    const item = await this.records.read('channel', channelId);
    return item ? directoryChannelSchema.parse(item) : undefined;
  }

  async listChannels(options: ChannelListOptions = {}): Promise<DirectoryChannel[]> {
    const items = await this.records.readAll('channel');
    return items
      .map((item) => directoryChannelSchema.parse(item))
      .filter((c) => options.siteId === undefined || c.siteId === options.siteId)
      .filter((c) => options.includeArchived || c.status !== 'archived')
      .sort(byId);
  }

  async putChannel(input: DirectoryChannelInput, write: DirectoryWrite): Promise<DirectoryChannel> {
    const name = `channel ${String(input.id)}`;
    // A template or hashtag rules the channel leaves out come from its site's defaults.
    const site = directoryIdSchema.safeParse(input.siteId);
    const stored = site.success ? await this.getSite(site.data) : undefined;
    const checked = checkDirectoryChannel(input, stored?.defaults);
    if (!checked.ok) throw new ValidationError(`Invalid ${name}`, checked.issues);
    const { channel, siteId } = checked;
    if (!stored) {
      throw new ValidationError(`Invalid ${name}`, [
        { field: 'siteId', message: `no site ${siteId}` },
      ]);
    }
    const current = await this.getChannel(channel.id);
    const status: ChannelStatus =
      !current || current.status === 'archived' ? 'active' : current.status;
    const action: AuditAction = !current
      ? 'create'
      : current.status === 'archived'
        ? 'restore'
        : 'update';
    return this.change('channel', current, { ...channel, siteId: siteId, status }, action, {
      ...write,
      siteId: siteId,
      schema: directoryChannelSchema,
      put: true,
    });
  }

  pauseChannel(channelId: string, write: DirectoryWrite): Promise<DirectoryChannel> {
    return this.setChannelStatus(channelId, 'paused', 'pause', write);
  }

  resumeChannel(channelId: string, write: DirectoryWrite): Promise<DirectoryChannel> {
    return this.setChannelStatus(channelId, 'active', 'resume', write);
  }

  archiveChannel(channelId: string, write: DirectoryWrite): Promise<DirectoryChannel> {
    return this.setChannelStatus(channelId, 'archived', 'archive', write);
  }

  listAudit(options: AuditQuery): Promise<AuditPage> {
    return this.records.audit(options);
  }

  async recordAudit(note: AuditNote): Promise<AuditEntry> {
    const entry = auditEntrySchema.parse({ ...note, at: this.clock.now().toISOString() });
    await this.records.appendAudit(entry);
    return entry;
  }

  private async setSiteStatus(
    siteId: string,
    status: SiteStatus,
    action: AuditAction,
    write: DirectoryWrite,
  ): Promise<DirectorySite> {
    const current = await this.getSite(siteId);
    if (!current) throw new NotFoundError(`No site ${siteId}`);
    return this.change('site', current, { ...current, status }, action, {
      ...write,
      siteId,
      schema: directorySiteSchema,
    });
  }

  private async setChannelStatus(
    channelId: string,
    status: ChannelStatus,
    action: AuditAction,
    write: DirectoryWrite,
  ): Promise<DirectoryChannel> {
    const current = await this.getChannel(channelId);
    if (!current) throw new NotFoundError(`No channel ${channelId}`);
    if (current.status === 'archived' && status !== 'archived') {
      throw new ConflictError(
        `Channel ${channelId} is archived: put it again to restore it, then ${action} it`,
      );
    }
    return this.change('channel', current, { ...current, status }, action, {
      ...write,
      siteId: current.siteId,
      schema: directoryChannelSchema,
    });
  }

  /**
   * Writes `content` over `current` (absent: creates it) at the next version, if the
   * table still holds the version the writer read, then its audit entry. The same
   * content again is no change: nothing is written, and `current` is returned.
   */
  private async change<T extends { id: string; version: number }>(
    kind: 'site' | 'channel',
    current: T | undefined,
    content: Record<string, unknown> & { id: string },
    action: AuditAction,
    options: DirectoryWrite & {
      siteId: string;
      schema: { parse(value: unknown): T };
      /** a put: replacing an item takes its version */
      put?: boolean;
    },
  ): Promise<T> {
    const target = `${kind}:${content.id}`;
    const read = current?.version;
    if (options.expectedVersion !== undefined && options.expectedVersion !== read) {
      throw new ConflictError(
        `${target} is at version ${read ?? '(none)'}, not ${options.expectedVersion}: read it again`,
      );
    }
    const before = current ? contentOf(current) : undefined;
    const after = contentOf(content);
    if (before && canonical(before) === canonical(after)) return current as T;
    if (current && options.expectedVersion === undefined && options.put) {
      throw new ConflictError(`${target} exists, at version ${current.version}: give its version`);
    }
    const at = this.clock.now().toISOString();
    const next = options.schema.parse({
      ...after,
      version: (read ?? 0) + 1,
      changedAt: at,
      changedBy: options.who,
    });
    if (!(await this.records.write(kind, next, read))) {
      throw new ConflictError(`${target} changed meanwhile: read it again`);
    }
    await this.records.appendAudit(
      auditEntrySchema.parse({
        at,
        who: options.who,
        action,
        target,
        siteId: options.siteId,
        version: next.version,
        before,
        after: contentOf(next as unknown as Record<string, unknown>),
      }),
    );
    return next;
  }
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const keyOf = (kind: DirectoryKind, id: string) =>
  kind === 'site' ? directorySiteKey(id) : directoryChannelKey(id);

const PREFIX: Record<DirectoryKind, string> = { site: 'SITE#', channel: 'CHAN#' };

export class DynamoDirectoryRecords implements DirectoryRecords {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(kind: DirectoryKind, id: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(kind, id), ConsistentRead: true }),
    );
    return result.Item;
  }

  readAll(kind: DirectoryKind): Promise<Record<string, unknown>[]> {
    return queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': DIRECTORY_PK, ':prefix': PREFIX[kind] },
      ConsistentRead: true,
    });
  }

  async write(
    kind: DirectoryKind,
    item: { id: string; version: number },
    expectedVersion: number | undefined,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keyOf(kind, item.id), type: kind, ...item },
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(PK)' }
            : {
                ConditionExpression: 'version = :version',
                ExpressionAttributeValues: { ':version': expectedVersion },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...auditKey(entry), type: 'audit', ...entry },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * Newest first. A site's entries are filtered from the one partition, so a page may
   * take several queries; the cursor is the key of the last entry handed out.
   */
  async audit(query: AuditQuery): Promise<AuditPage> {
    const entries: AuditEntry[] = [];
    let startKey: Record<string, unknown> | undefined = query.cursor
      ? { PK: AUDIT_PK, SK: auditCursor.decode(query.cursor) }
      : undefined;
    let lastKey: string | undefined;
    while (entries.length < query.limit) {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: {
            ':pk': AUDIT_PK,
            ...(query.siteId === undefined ? {} : { ':site': query.siteId }),
          },
          ...(query.siteId === undefined ? {} : { FilterExpression: 'siteId = :site' }),
          ScanIndexForward: false,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          Limit: Math.max(query.limit - entries.length, 10),
        }),
      );
      const items = page.Items ?? [];
      let taken = 0;
      for (const item of items) {
        if (entries.length === query.limit) break;
        entries.push(auditEntrySchema.parse(item));
        lastKey = String(item.SK);
        taken += 1;
      }
      if (taken < items.length) return { entries, cursor: auditCursor.encode(lastKey ?? '') };
      startKey = page.LastEvaluatedKey;
      if (!startKey) return { entries };
      // A filtered page may end past the last entry taken: go on from where it ended.
      lastKey = String(startKey.SK);
    }
    return lastKey ? { entries, cursor: auditCursor.encode(lastKey) } : { entries };
  }
}

export class DynamoChannelDirectory extends TableChannelDirectory {
  constructor(db: DynamoDBDocumentClient, tableName: string, clock: Clock) {
    super(new DynamoDirectoryRecords(db, tableName), clock);
  }
}
