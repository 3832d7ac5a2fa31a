/**
 * The channels file in and out of the channel directory: `planImport` compares a file
 * with a site's channels in the table (added, changed with the fields that differ,
 * archived: in the table but no longer in the file), `applyImport` makes the plan's
 * changes, each one audited, and `exportChannels` writes the file back. Importing the
 * same file twice changes nothing the second time, and writes no audit entry.
 */
import type { Channel, ChannelsConfig, Site } from '../domain/channel';
import {
  type ChannelDirectory,
  type DirectoryChannel,
  type DirectorySite,
  fileChannelOf,
  fileSiteOf,
} from '../domain/channel-directory';

export type ChannelChange = { id: string; fields: string[] };

export type ImportPlan = {
  siteId: string;
  /** the site: new, changed (its fields), or the same */
  site: { action: 'add' | 'change' | 'same'; fields: string[] };
  added: string[];
  changed: ChannelChange[];
  archived: string[];
  unchanged: string[];
  /** what applying writes: the file's site and channels, and the table's versions read */
  readonly writes: {
    site: Site;
    siteVersion?: number;
    channels: { channel: Channel; version?: number }[];
    archive: { id: string; version: number }[];
  };
};

export const planIsEmpty = (plan: ImportPlan) =>
  plan.site.action === 'same' &&
  !plan.added.length &&
  !plan.changed.length &&
  !plan.archived.length;

/** JSON with its keys sorted, for comparing values whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** The top-level fields whose values differ, in order. */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((key) => canonical(before[key]) !== canonical(after[key]));
}

/** The site a file names (`site`), or one named after its id where the file has none. */
function siteOfFile(config: ChannelsConfig, siteId: string, current?: DirectorySite): Site {
  if (config.site) return config.site;
  return current ? fileSiteOf(current) : { name: siteId, brand: defaultBrand };
}

const defaultBrand = { background: '#111827', foreground: '#ffffff', accent: '#e11d48' };

export async function planImport(
  directory: ChannelDirectory,
  config: ChannelsConfig,
  siteId: string,
): Promise<ImportPlan> {
  const currentSite = await directory.getSite(siteId);
  const site = siteOfFile(config, siteId, currentSite);
  const siteFields = currentSite ? changedFields(fileSiteOf(currentSite), site) : [];
  const all = await directory.listChannels({ includeArchived: true });
  const byId = new Map(all.map((c) => [c.id, c]));
  const plan: ImportPlan = {
    siteId,
    site: {
      action: !currentSite ? 'add' : siteFields.length ? 'change' : 'same',
      fields: siteFields,
    },
    added: [],
    changed: [],
    archived: [],
    unchanged: [],
    writes: { site, siteVersion: currentSite?.version, channels: [], archive: [] },
  };
  // A file is imported into one site, whatever site its channels name.
  for (const channel of config.channels.map((c) => ({ ...c, siteId }))) {
    const current = byId.get(channel.id);
    if (!current) {
      plan.added.push(channel.id);
      plan.writes.channels.push({ channel });
      continue;
    }
    const fields = [
      ...changedFields(fileChannelOf(current), channel),
      ...(current.status === 'archived' ? ['status'] : []),
    ];
    if (fields.length) {
      plan.changed.push({ id: channel.id, fields });
      plan.writes.channels.push({ channel, version: current.version });
    } else {
      plan.unchanged.push(channel.id);
    }
  }
  const inFile = new Set(config.channels.map((c) => c.id));
  for (const current of all) {
    if (current.siteId !== siteId || current.status === 'archived' || inFile.has(current.id))
      continue;
    plan.archived.push(current.id);
    plan.writes.archive.push({ id: current.id, version: current.version });
  }
  return plan;
}

/** Makes the plan's changes as `who`; a stale version (a change meanwhile) is a ConflictError. */
export async function applyImport(
  directory: ChannelDirectory,
  plan: ImportPlan,
  who: string,
  /** archives a channel and cancels its pending shares (archive-channel.ts); else only archives */
  archive?: (
    channelId: string,
    write: { who: string; expectedVersion?: number },
  ) => Promise<unknown>,
): Promise<void> {
  const { writes, siteId } = plan;
  if (plan.site.action !== 'same') {
    await directory.putSite(
      { ...writes.site, id: siteId },
      { who, expectedVersion: writes.siteVersion },
    );
  }
  for (const { channel, version } of writes.channels) {
    await directory.putChannel({ ...channel, siteId }, { who, expectedVersion: version });
  }
  for (const { id, version } of writes.archive) {
    const write = { who, expectedVersion: version };
    await (archive ? archive(id, write) : directory.archiveChannel(id, write));
  }
}

/** The plan for a person: one line per change, `+` added, `~` changed, `-` archived. */
export function describePlan(plan: ImportPlan): string {
  const lines = [];
  if (plan.site.action === 'add') lines.push(`+ site ${plan.siteId}`);
  if (plan.site.action === 'change')
    lines.push(`~ site ${plan.siteId}: ${plan.site.fields.join(', ')}`);
  for (const id of plan.added) lines.push(`+ channel ${id}`);
  for (const { id, fields } of plan.changed) lines.push(`~ channel ${id}: ${fields.join(', ')}`);
  for (const id of plan.archived) lines.push(`- channel ${id} (archived)`);
  const counts = `${plan.added.length} added, ${plan.changed.length} changed, ${plan.archived.length} archived, ${plan.unchanged.length} unchanged`;
  return lines.length ? `${lines.join('\n')}\n${counts}` : `No changes (${counts}).`;
}

/** A site's channels in the channels file's format (archived ones left out). */
export async function exportChannels(
  directory: ChannelDirectory,
  siteId: string,
): Promise<{ site: Site; channels: Channel[] } | undefined> {
  const site = await directory.getSite(siteId);
  if (!site) return undefined;
  const channels = await directory.listChannels({ siteId });
  return {
    site: fileSiteOf(site),
    channels: channels.map((c: DirectoryChannel) => fileChannelOf(c)),
  };
}
