/**
 * The editor API's sites, channels, editors and audit: the channel directory as each
 * caller may see it (only their sites), and the admins' changes to it, each audited with
 * the editor's name. Webhook keys and editor tokens are shown once, when made.
 */
import * as z from 'zod';
import {
  CHANNEL_STATUSES,
  type ChannelDirectory,
  type DirectoryChannel,
  type DirectorySite,
  SITE_STATUSES,
} from '../domain/channel-directory';
import {
  type AccessStore,
  EDITOR_ROLES,
  type Editor,
  editorAccountSchema,
  mayAccessSite,
  newWebhookSecret,
} from '../domain/editor';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { routingSchema } from '../domain/routing';
import { type ArchiveChannelDeps, archiveChannel as archiveAndCancel } from './archive-channel';
import { channelViewSchema } from './read-channels';

export const directoryChannelViewSchema = channelViewSchema
  .extend({
    siteId: z.string(),
    /** which of its site's articles it takes; null: all of them */
    routing: routingSchema.nullable(),
    /** the directory's status, for now; health (ok, expiring, failing...) comes later */
    status: z.enum(CHANNEL_STATUSES),
    statusReason: z.string().nullable(),
    version: z.number().int(),
  })
  .loose();

export const directoryChannelListSchema = z.object({
  channels: z.array(directoryChannelViewSchema),
});
export const channelAnswerSchema = z.object({ channel: directoryChannelViewSchema });

export const siteViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(SITE_STATUSES),
    version: z.number().int(),
  })
  .loose();
export const siteListSchema = z.object({ sites: z.array(siteViewSchema) });
export const webhookSecretSchema = z.object({
  webhookSecret: z.string().meta({ description: '`whsec_...`: shown only in this answer' }),
});
export const siteCreatedSchema = webhookSecretSchema.extend({ site: siteViewSchema });

export const editorViewSchema = editorAccountSchema;
export const editorListSchema = z.object({ editors: z.array(editorViewSchema) });
export const editorCreatedSchema = z.object({
  editor: editorViewSchema,
  token: z.string().meta({ description: 'The bearer token: shown only in this answer' }),
});

export const meAnswerSchema = z.object({
  editor: z.object({
    name: z.string().meta({ description: 'The name the history and the audit give the caller' }),
    role: z.enum(EDITOR_ROLES),
    sites: z
      .union([z.literal('all'), z.array(z.string())])
      .meta({ description: 'The ids of the sites the caller sees, or `all` (an admin)' }),
  }),
});

/** The caller as the API knows them: what a client may offer them. */
export const describeCaller = (editor: Editor): z.output<typeof meAnswerSchema> => ({
  editor: {
    name: editor.by,
    role: editor.role,
    sites: editor.sites === 'all' ? 'all' : [...editor.sites],
  },
});

export const auditListSchema = z.object({
  entries: z.array(
    z.object({
      at: z.string(),
      who: z.string(),
      action: z.string(),
      target: z.string(),
      siteId: z.string(),
      version: z.number().int(),
      before: z.record(z.string(), z.unknown()).nullable(),
      after: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
  cursor: z.string().nullable(),
});

export type SitesDeps = {
  directory: ChannelDirectory;
  access: AccessStore;
} & Omit<ArchiveChannelDeps, 'directory'>;

/** The channel as the API shows it: its fields, site, routing and status. */
export function directoryChannelView(
  channel: DirectoryChannel,
): z.output<typeof directoryChannelViewSchema> {
  const { changedAt: _at, changedBy: _by, ...fields } = channel;
  return {
    ...fields,
    name: channel.name ?? null,
    routing: channel.routing ?? null,
    statusReason: null,
  };
}

export async function listDirectoryChannels(deps: SitesDeps, editor: Editor) {
  const channels = await deps.directory.listChannels();
  return {
    channels: channels.filter((c) => mayAccessSite(editor, c.siteId)).map(directoryChannelView),
  };
}

export async function createChannel(
  deps: SitesDeps,
  body: Record<string, unknown>,
  editor: Editor,
) {
  const id = typeof body.id === 'string' ? body.id : undefined;
  const existing = id ? await deps.directory.getChannel(id) : undefined;
  if (existing && existing.status !== 'archived') {
    throw new ConflictError(`A channel ${id} exists`);
  }
  // An archived channel's id made again restores it, with the body's fields (audited).
  const channel = await deps.directory.putChannel(
    { ...body, siteId: typeof body.siteId === 'string' ? body.siteId : 'default' } as Parameters<
      ChannelDirectory['putChannel']
    >[0],
    { who: editor.by, expectedVersion: existing?.version },
  );
  return { channel: directoryChannelView(channel) };
}

/** RFC 7396: null removes a field, an object merges into an object, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete base[key];
    else base[key] = mergePatch(base[key], value);
  }
  return base;
}

export async function patchChannel(
  deps: SitesDeps,
  channelId: string,
  body: Record<string, unknown>,
  editor: Editor,
) {
  const current = await deps.directory.getChannel(channelId);
  if (!current || current.status === 'archived') throw new NotFoundError(`No channel ${channelId}`);
  const { version, ...patch } = body;
  if (version !== undefined && typeof version !== 'number') {
    throw new ValidationError('Invalid version', [
      { field: 'version', message: 'must be a number' },
    ]);
  }
  if (version !== undefined && version !== current.version) {
    throw new ConflictError(
      `channel:${channelId} is at version ${current.version}, not ${version}: read it again`,
    );
  }
  if ('id' in patch && patch.id !== channelId) {
    throw new ValidationError('Invalid id', [{ field: 'id', message: 'cannot change' }]);
  }
  const { status: _s, version: _v, changedAt: _at, changedBy: _by, ...fields } = current;
  const merged = mergePatch(fields, patch) as Parameters<ChannelDirectory['putChannel']>[0];
  const channel = await deps.directory.putChannel(merged, {
    who: editor.by,
    expectedVersion: current.version,
  });
  return { channel: directoryChannelView(channel) };
}

/**
 * Stops (`paused`) or restarts (`active`) posting on a channel; its shares wait,
 * scheduled, until it is resumed. Audited as `pause` or `resume`; an archived channel
 * is as good as absent.
 */
export async function setChannelPaused(
  deps: SitesDeps,
  channelId: string,
  paused: boolean,
  editor: Editor,
) {
  const current = await deps.directory.getChannel(channelId);
  if (!current || current.status === 'archived') throw new NotFoundError(`No channel ${channelId}`);
  const write = { who: editor.by };
  const channel = paused
    ? await deps.directory.pauseChannel(channelId, write)
    : await deps.directory.resumeChannel(channelId, write);
  return { channel: directoryChannelView(channel) };
}

export async function archiveChannel(deps: SitesDeps, channelId: string, editor: Editor) {
  const current = await deps.directory.getChannel(channelId);
  if (!current) throw new NotFoundError(`No channel ${channelId}`);
  // Archived, then its pending shares cancelled with the reason; past posts stay.
  const { channel } = await archiveAndCancel(deps, channelId, { who: editor.by });
  return { channel: directoryChannelView(channel) };
}

const siteView = (site: DirectorySite) => {
  const { changedAt: _at, changedBy: _by, ...fields } = site;
  return fields;
};

export async function listSites(deps: SitesDeps, editor: Editor) {
  const sites = await deps.directory.listSites();
  return { sites: sites.filter((s) => mayAccessSite(editor, s.id)).map(siteView) };
}

export async function createSite(
  deps: SitesDeps,
  body: { id: string; name: string; brand?: Record<string, unknown> },
  editor: Editor,
) {
  if (await deps.directory.getSite(body.id)) throw new ConflictError(`A site ${body.id} exists`);
  const site = await deps.directory.putSite(body as Parameters<ChannelDirectory['putSite']>[0], {
    who: editor.by,
  });
  const webhookSecret = newWebhookSecret();
  if (!(await deps.access.createWebhookKey(site.id, webhookSecret))) {
    // A key left from before: the site is new, so is its key.
    await deps.access.rotateWebhookKey(site.id, webhookSecret);
  }
  return { site: siteView(site), webhookSecret };
}

export async function rotateSiteKey(deps: SitesDeps, siteId: string) {
  if (!(await deps.directory.getSite(siteId))) throw new NotFoundError(`No site ${siteId}`);
  const webhookSecret = newWebhookSecret();
  await deps.access.rotateWebhookKey(siteId, webhookSecret);
  return { webhookSecret };
}

export async function listAudit(
  deps: SitesDeps,
  query: { siteId?: string; limit: number; cursor?: string },
) {
  const page = await deps.directory.listAudit(query);
  return {
    entries: page.entries.map((e) => ({ ...e, before: e.before ?? null, after: e.after ?? null })),
    cursor: page.cursor ?? null,
  };
}
