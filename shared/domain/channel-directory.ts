/**
 * Channels and sites as data in the table (docs/configuring.md, "Channels in the table"):
 * each one versioned, every change checked as the channels file is and audited.
 * shared/store/channel-directory.ts is the DynamoDB adapter.
 */
import * as z from 'zod';
import {
  type Channel,
  type ChannelInput,
  channelSchema,
  type Site,
  siteSchema,
  withSiteDefaults,
} from './channel';
import { channelProblems } from './channel-checks';
import type { FieldIssue } from './errors';

/** `paused`: nothing goes out on it until resumed; `archived`: gone from the lists, kept for history. */
export const CHANNEL_STATUSES = ['active', 'paused', 'archived'] as const;
export type ChannelStatus = (typeof CHANNEL_STATUSES)[number];

/** A paused site pauses every channel of it, whatever each channel's own status. */
export const SITE_STATUSES = ['active', 'paused'] as const;
export type SiteStatus = (typeof SITE_STATUSES)[number];

export const directoryIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes, at most 63');

/** Who changed an item last, when, and its version (1 when created, one more per change). */
const versioned = {
  version: z.number().int().min(1),
  changedAt: z.string(),
  changedBy: z.string(),
};

/** A site as the channels file has it (`site`), with an id. */
export const directorySiteInputSchema = siteSchema.extend({ id: directoryIdSchema });
export type DirectorySiteInput = z.input<typeof directorySiteInputSchema>;

export const directorySiteSchema = directorySiteInputSchema.extend({
  status: z.enum(SITE_STATUSES),
  ...versioned,
});
export type DirectorySite = z.output<typeof directorySiteSchema>;

/** A channel as the channels file has it, and the site it belongs to. */
export type DirectoryChannelInput = ChannelInput & { siteId: string };

/** Each of a zod error's issues as a field (its path, dotted) and a message. */
export const fieldIssuesOf = (error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): FieldIssue[] =>
  error.issues.map((i) => ({
    field: i.path.map(String).join('.') || '(root)',
    message: i.message,
  }));

export type ChannelCheck =
  | { ok: true; channel: Channel; siteId: string }
  | { ok: false; issues: FieldIssue[] };

/**
 * A channel for the directory, checked as the channels file is (its schema, then what its
 * network allows), with its site id. The directory runs it on every write, and the editor
 * UI as an admin types, so both name the same fields with the same words.
 */
export function checkDirectoryChannel(
  input: Record<string, unknown>,
  /** the site's `defaults`: what the channel takes where it sets no template or hashtags */
  siteDefaults?: Site['defaults'],
): ChannelCheck {
  const { siteId, ...given } = input;
  const fields = withSiteDefaults(given, siteDefaults);
  const parsed = channelSchema.safeParse(fields);
  const site = directoryIdSchema.safeParse(siteId);
  const issues = [
    ...(site.success ? [] : fieldIssuesOf(site.error).map((i) => ({ ...i, field: 'siteId' }))),
    ...(parsed.success ? [] : fieldIssuesOf(parsed.error)),
  ];
  if (parsed.success) {
    for (const problem of channelProblems(parsed.data, 'channel')) {
      const [field = '', ...message] = problem.split(': ');
      issues.push({ field: field.replace(/^channel\./, ''), message: message.join(': ') });
    }
  }
  if (!parsed.success || !site.success || issues.length) return { ok: false, issues };
  return { ok: true, channel: parsed.data, siteId: site.data };
}

export const directoryChannelSchema = channelSchema.extend({
  siteId: directoryIdSchema,
  status: z.enum(CHANNEL_STATUSES),
  ...versioned,
});
export type DirectoryChannel = z.output<typeof directoryChannelSchema>;

/** The channel as the channels file has it: without its status and version. */
export function fileChannelOf(entry: DirectoryChannel): Channel {
  const { status: _status, version: _v, changedAt: _at, changedBy: _by, ...channel } = entry;
  return channel;
}

/** The site as the channels file has it. */
export function fileSiteOf(entry: DirectorySite): Site {
  const { id: _id, status: _status, version: _v, changedAt: _at, changedBy: _by, ...site } = entry;
  return site;
}

/** What a channel's posts see: archived, or paused by itself or by its site, or active. */
export function effectiveStatus(channel: DirectoryChannel, site?: DirectorySite): ChannelStatus {
  if (channel.status === 'archived') return 'archived';
  if (site?.status === 'paused') return 'paused';
  return channel.status;
}

/**
 * The directory's own changes, then the others an admin makes: a site's webhook key
 * rotated (the entry names the kind, never the key), its notification targets changed or
 * tested (set or unset, never a URL's secret part), an editor made or revoked.
 */
export const AUDIT_ACTIONS = [
  'create',
  'update',
  'pause',
  'resume',
  'archive',
  'restore',
  'site.key-rotated',
  'site.notifications-changed',
  'site.notifications-tested',
  'editor.created',
  'editor.revoked',
  'channel.credentials-set',
  'channel.connected',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The `siteId` of an entry that concerns no one site (an editor, whose sites it lists). */
export const ALL_SITES = '*';

/** One change, as its own item: who, when, what, and the item before and after. */
export const auditEntrySchema = z.object({
  at: z.string(),
  who: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  /** `channel:<id>`, `site:<id>` or `editor:<id>` */
  target: z.string(),
  siteId: z.string(),
  /** the target's version after the change */
  version: z.number().int(),
  before: z.record(z.string(), z.unknown()).optional(),
  after: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntry = z.output<typeof auditEntrySchema>;

export type AuditPage = { entries: AuditEntry[]; cursor?: string };

/** A change made outside the directory's items, to record: the directory stamps it. */
export type AuditNote = Omit<AuditEntry, 'at'>;

/** Who makes a change, and the version it was read at: a stale one is a ConflictError. */
export type DirectoryWrite = {
  who: string;
  /** absent: the item must not exist yet (put) or is taken as it is now (pause, archive...) */
  expectedVersion?: number;
};

export type ChannelListOptions = { siteId?: string; includeArchived?: boolean };

export interface ChannelDirectory {
  getSite(siteId: string): Promise<DirectorySite | undefined>;
  listSites(): Promise<DirectorySite[]>;
  /**
   * Creates the site, or replaces it if `expectedVersion` is its version; the same
   * content again changes nothing and writes no audit entry.
   */
  putSite(site: DirectorySiteInput, write: DirectoryWrite): Promise<DirectorySite>;
  pauseSite(siteId: string, write: DirectoryWrite): Promise<DirectorySite>;
  resumeSite(siteId: string, write: DirectoryWrite): Promise<DirectorySite>;

  getChannel(channelId: string): Promise<DirectoryChannel | undefined>;
  /** by id; archived channels only when asked */
  listChannels(options?: ChannelListOptions): Promise<DirectoryChannel[]>;
  /**
   * Creates the channel (active), or replaces it if `expectedVersion` is its version,
   * keeping its status (an archived one is restored, active); its site must exist. The
   * same content again changes nothing and writes no audit entry.
   */
  putChannel(channel: DirectoryChannelInput, write: DirectoryWrite): Promise<DirectoryChannel>;
  pauseChannel(channelId: string, write: DirectoryWrite): Promise<DirectoryChannel>;
  resumeChannel(channelId: string, write: DirectoryWrite): Promise<DirectoryChannel>;
  archiveChannel(channelId: string, write: DirectoryWrite): Promise<DirectoryChannel>;

  /** Records a change kept elsewhere (a webhook key, an editor) in the same audit. */
  recordAudit(note: AuditNote): Promise<AuditEntry>;
  /** newest first */
  listAudit(options: { siteId?: string; limit: number; cursor?: string }): Promise<AuditPage>;
}
