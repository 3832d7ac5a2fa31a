/**
 * The editor API's sites, channels, editors and audit: the channel directory as each
 * caller may see it (only their sites), and the admins' changes to it, each audited with
 * the editor's name. Webhook keys and editor tokens are shown once, when made.
 */
import * as z from 'zod';
import { fieldIssues } from '../domain/article';
import {
  ALL_SITES,
  CHANNEL_STATUSES,
  type ChannelDirectory,
  type DirectoryChannel,
  type DirectorySite,
  directorySiteInputSchema,
  fileSiteOf,
  SITE_STATUSES,
  type SiteStatus,
} from '../domain/channel-directory';
import {
  type AccessStore,
  EDITOR_ROLES,
  type Editor,
  type EditorAccount,
  editorAccountSchema,
  mayAccessSite,
  type NewEditor,
  newWebhookKey,
  WEBHOOK_KINDS,
  type WebhookKind,
} from '../domain/editor';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { type ChannelHealth, HEALTH_STATUSES } from '../domain/ports';
import { routingSchema } from '../domain/routing';
import { type ArchiveChannelDeps, archiveChannel as archiveAndCancel } from './archive-channel';
import { channelViewSchema } from './read-channels';

export const channelHealthSchema = z.object({
  status: z.enum(HEALTH_STATUSES).meta({
    description:
      '`ok`; `expiring`: a person must reconnect within 7 days; `failing`: the network refuses; `unconnected`: no credentials',
  }),
  reason: z.string().nullable().meta({ description: "The network's reason; null when ok" }),
  checkedAt: z.string().meta({ description: 'When the check ran (UTC ISO instant)' }),
});

export const directoryChannelViewSchema = channelViewSchema
  .extend({
    siteId: z.string(),
    /** which of its site's articles it takes; null: all of them */
    routing: routingSchema.nullable(),
    /** the directory's status: whether Crier posts on it */
    status: z.enum(CHANNEL_STATUSES),
    /** why the channel is not healthy (the last check's reason); null when it is, or unchecked */
    statusReason: z.string().nullable(),
    /** the last who-am-I check of its credentials; null before the first */
    health: channelHealthSchema.nullable().optional(),
    version: z.number().int(),
  })
  .loose();

export const channelHealthAnswerSchema = z.object({ health: channelHealthSchema });

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
export const siteAnswerSchema = z.object({ site: siteViewSchema });
export const webhookSecretSchema = z.object({
  kind: z.enum(WEBHOOK_KINDS).meta({ description: 'Which webhook the key signs' }),
  webhookSecret: z.string().meta({
    description:
      '`whsec_...` for the generic and WordPress webhooks, a hex string for Ghost: shown only in this answer',
  }),
});
export const siteCreatedSchema = z.object({
  site: siteViewSchema,
  webhookSecret: z.string().meta({
    description: '`whsec_...`, for `POST /webhooks/generic/{siteId}`: shown only in this answer',
  }),
  wordpressSecret: z.string().meta({
    description: '`whsec_...`, for `POST /webhooks/wordpress/{siteId}`: shown only in this answer',
  }),
  ghostSecret: z.string().meta({
    description:
      "Ghost's webhook secret (hex), for `POST /webhooks/ghost/{siteId}`: shown only in this answer",
  }),
});

export const editorViewSchema = editorAccountSchema;
export const editorListSchema = z.object({ editors: z.array(editorViewSchema) });
export const editorCreatedSchema = z.object({
  editor: editorViewSchema,
  token: z.string().optional().meta({
    description:
      'The bearer token, locally: shown only in this answer. In AWS there is none: Cognito emails an invitation',
  }),
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
  /** the channel's last health check, where the caller can read it */
  health?: (channelId: string) => Promise<ChannelHealth | undefined>;
} & Omit<ArchiveChannelDeps, 'directory'>;

/** The channel as the API shows it: its fields, site, routing and status. */
export function directoryChannelView(
  channel: DirectoryChannel,
  health?: ChannelHealth,
): z.output<typeof directoryChannelViewSchema> {
  const { changedAt: _at, changedBy: _by, ...fields } = channel;
  return {
    ...fields,
    name: channel.name ?? null,
    routing: channel.routing ?? null,
    statusReason: health && health.status !== 'ok' ? health.reason : null,
    ...(health ? { health } : {}),
  };
}

export async function listDirectoryChannels(deps: SitesDeps, editor: Editor) {
  const channels = (await deps.directory.listChannels()).filter((c) =>
    mayAccessSite(editor, c.siteId),
  );
  const health = deps.health;
  const checks = await Promise.all(channels.map((c) => health?.(c.id)));
  return {
    channels: channels.map((channel, index) => ({
      ...directoryChannelView(channel, checks[index]),
      health: checks[index] ?? null,
    })),
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

/**
 * Adds the site, its key of each kind and, where editors are in groups (Cognito), its
 * `site:<id>` group. The keys are answered here and never again.
 */
export async function createSite(
  deps: SitesDeps,
  body: { id: string; name: string; brand?: Record<string, unknown> },
  editor: Editor,
) {
  if (await deps.directory.getSite(body.id)) throw new ConflictError(`A site ${body.id} exists`);
  const checked = directorySiteInputSchema.safeParse(body);
  if (!checked.success) {
    throw new ValidationError(`Invalid site ${body.id}`, fieldIssues(checked.error));
  }
  // The group before the site: making it again is harmless, and a failure there writes
  // no site whose keys nobody saw.
  await deps.access.createSiteGroup(body.id);
  const site = await deps.directory.putSite(body as Parameters<ChannelDirectory['putSite']>[0], {
    who: editor.by,
  });
  const secrets = {} as Record<WebhookKind, string>;
  for (const kind of WEBHOOK_KINDS) {
    const secret = newWebhookKey(kind);
    if (!(await deps.access.createWebhookKey(site.id, secret, kind))) {
      // A key left from before: the site is new, so is its key.
      await deps.access.rotateWebhookKey(site.id, secret, kind);
    }
    secrets[kind] = secret;
  }
  return {
    site: siteView(site),
    webhookSecret: secrets.generic,
    wordpressSecret: secrets.wordpress,
    ghostSecret: secrets.ghost,
  };
}

/**
 * A new key of the kind for the site; the replaced one is accepted for the grace period.
 * The audit names the kind, never a key.
 */
export async function rotateSiteKey(
  deps: SitesDeps,
  siteId: string,
  kind: WebhookKind,
  editor: Editor,
) {
  const site = await deps.directory.getSite(siteId);
  if (!site) throw new NotFoundError(`No site ${siteId}`);
  const webhookSecret = newWebhookKey(kind);
  await deps.access.rotateWebhookKey(siteId, webhookSecret, kind);
  await deps.directory.recordAudit({
    who: editor.by,
    action: 'site.key-rotated',
    target: `site:${siteId}`,
    siteId,
    version: site.version,
    before: { kind },
    after: { kind },
  });
  return { kind, webhookSecret };
}

/** What PATCH /api/sites/{siteId} may change (the route's schema checks the shapes). */
export type SitePatch = {
  name?: string;
  url?: string | null;
  brand?: Record<string, unknown> | null;
  defaults?: Record<string, unknown> | null;
  staleAfterHours?: number | null;
  status?: SiteStatus;
  version?: number;
};

/**
 * Changes a site's name, brand (a merge patch) or stale threshold (null: never), and
 * pauses or resumes the whole site, each change audited. With `version`, refused with a
 * ConflictError unless the site is still at it; the patched site is checked whole before
 * anything is written.
 */
export async function patchSite(deps: SitesDeps, siteId: string, body: SitePatch, editor: Editor) {
  const current = await deps.directory.getSite(siteId);
  if (!current) throw new NotFoundError(`No site ${siteId}`);
  const { version, status, ...patch } = body;
  if (version !== undefined && version !== current.version) {
    throw new ConflictError(
      `site:${siteId} is at version ${current.version}, not ${version}: read it again`,
    );
  }
  const fields = { id: siteId, ...fileSiteOf(current) };
  const merged = mergePatch(fields, patch) as Parameters<ChannelDirectory['putSite']>[0];
  let site = await deps.directory.putSite(merged, {
    who: editor.by,
    expectedVersion: current.version,
  });
  if (status && status !== site.status) {
    const write = { who: editor.by, expectedVersion: site.version };
    site =
      status === 'paused'
        ? await deps.directory.pauseSite(siteId, write)
        : await deps.directory.resumeSite(siteId, write);
  }
  return { site: siteView(site) };
}

/** What an editor entry of the audit says of them: never their token, nor its hash. */
const editorAudit = (editor: EditorAccount) => ({
  name: editor.name,
  role: editor.role,
  sites: editor.sites,
  ...(editor.email ? { email: editor.email } : {}),
});

/** Makes the editor (a token locally, a Cognito invitation in AWS), audited. */
export async function createEditor(deps: SitesDeps, input: NewEditor, editor: Editor) {
  const known = new Set((await deps.directory.listSites()).map((site) => site.id));
  const unknown = input.sites.flatMap((siteId, index) =>
    known.has(siteId) ? [] : [{ field: `sites.${index}`, message: `no site ${siteId}` }],
  );
  if (unknown.length) throw new ValidationError('Invalid sites', unknown);
  const made = await deps.access.createEditor(input, editor.by);
  await deps.directory.recordAudit({
    who: editor.by,
    action: 'editor.created',
    target: `editor:${made.editor.id}`,
    siteId: ALL_SITES,
    version: 1,
    after: editorAudit(made.editor),
  });
  return made;
}

/** Revokes the editor, audited. */
export async function revokeEditor(deps: SitesDeps, editorId: string, editor: Editor) {
  const revoked = await deps.access.deleteEditor(editorId);
  await deps.directory.recordAudit({
    who: editor.by,
    action: 'editor.revoked',
    target: `editor:${revoked.id}`,
    siteId: ALL_SITES,
    version: 2,
    before: editorAudit(revoked),
  });
  return { editor: revoked };
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
