/**
 * The channel form's pure side: the fields as the admin types them, the channel body
 * they make, the same check the directory runs on every write (so a field turns red
 * exactly when the API would refuse it), and which recent articles the routing takes.
 */
import { type ChannelStatus, checkDirectoryChannel } from '../../shared/domain/channel-directory';
import type { FieldIssue } from '../../shared/domain/errors';
import { PLATFORMS, type Platform } from '../../shared/domain/platform';
import {
  type Routable,
  type Routing,
  type RoutingInput,
  routingRefusal,
  routingSchema,
} from '../../shared/domain/routing';
import { correctionsFormOf, correctionsOf } from './corrections-form';

export type ScheduleChoice = 'asap' | 'delay' | 'best' | 'kept';

/** Every field as text, as the inputs hold it. */
export type ChannelForm = {
  id: string;
  platform: Platform;
  name: string;
  account: string;
  siteId: string;
  template: string;
  timezone: string;
  approval: 'none' | 'required';
  schedule: ScheduleChoice;
  delayMinutes: string;
  /** a `best` schedule's window: the hours after the earliest it may wait for a better one */
  withinHours: string;
  sections: string;
  tags: string;
  languages: string;
  priorities: string;
  excludeSections: string;
  excludeTags: string;
  /** the corrections policy's choices; '': the default (corrections-form.ts) */
  onCorrection: string;
  onHeadline: string;
};

export type FormField = keyof ChannelForm;

/** Where each form field's errors come from: the channel's paths, most precise first. */
const FIELD_PATHS: [string, FormField][] = [
  ['routing.exclude.sections', 'excludeSections'],
  ['routing.exclude.tags', 'excludeTags'],
  ['routing.sections', 'sections'],
  ['routing.tags', 'tags'],
  ['routing.languages', 'languages'],
  ['routing.priorities', 'priorities'],
  ['schedule.minutes', 'delayMinutes'],
  ['schedule.withinHours', 'withinHours'],
  ['schedule', 'schedule'],
  ['id', 'id'],
  ['platform', 'platform'],
  ['name', 'name'],
  ['account', 'account'],
  ['siteId', 'siteId'],
  ['template', 'template'],
  ['timezone', 'timezone'],
  ['approval', 'approval'],
  ['corrections.onCorrection', 'onCorrection'],
  ['corrections.onHeadline', 'onHeadline'],
];

/** A channel as the API lists it: the fields the form reads, and the rest kept as they are. */
export type ChannelRecord = {
  id: string;
  platform: Platform;
  name?: string | null;
  account: string;
  siteId?: string;
  template?: string;
  timezone?: string | null;
  approval?: string;
  schedule?: unknown;
  routing?: unknown;
  status?: ChannelStatus;
  version?: number;
  [field: string]: unknown;
};

const DEFAULT_TEMPLATE = '{title} {url}';

const joined = (list: readonly string[] | undefined) => (list ?? []).join(', ');

/** The form for a new channel of `siteId`, or for editing `channel`. */
export function formOf(siteId: string, channel?: ChannelRecord): ChannelForm {
  const routing = routingSchema.safeParse(channel?.routing ?? {});
  const rules: Routing = routing.success ? routing.data : {};
  const schedule = (channel?.schedule ?? { type: 'asap' }) as {
    type?: string;
    minutes?: number;
    withinHours?: number;
  };
  return {
    id: channel?.id ?? '',
    platform: channel?.platform ?? PLATFORMS[0],
    name: channel?.name ?? '',
    account: channel?.account ?? '',
    siteId: channel?.siteId ?? siteId,
    template: channel?.template ?? DEFAULT_TEMPLATE,
    timezone: channel?.timezone ?? 'UTC',
    approval: channel?.approval === 'required' ? 'required' : 'none',
    schedule:
      schedule.type === 'asap' || schedule.type === 'delay' || schedule.type === 'best'
        ? schedule.type
        : 'kept',
    delayMinutes: schedule.type === 'delay' ? String(schedule.minutes ?? '') : '30',
    withinHours: schedule.type === 'best' ? String(schedule.withinHours ?? 24) : '24',
    sections: joined(rules.sections),
    tags: joined(rules.tags),
    languages: joined(rules.languages),
    priorities: joined(rules.priorities),
    excludeSections: joined(rules.exclude?.sections),
    excludeTags: joined(rules.exclude?.tags),
    ...correctionsFormOf(channel?.corrections),
  };
}

/** A comma-separated list as its entries, blanks left out. */
export const listOf = (text: string): string[] =>
  text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

/** The routing the form's lists make; undefined when they name nothing (every article). */
export function routingOf(form: ChannelForm): RoutingInput | undefined {
  const routing: RoutingInput = {};
  const lists = {
    sections: listOf(form.sections),
    tags: listOf(form.tags),
    languages: listOf(form.languages),
    priorities: listOf(form.priorities),
  };
  for (const [name, list] of Object.entries(lists)) {
    if (list.length > 0) Object.assign(routing, { [name]: list });
  }
  const exclude = { sections: listOf(form.excludeSections), tags: listOf(form.excludeTags) };
  if (exclude.sections.length > 0 || exclude.tags.length > 0) {
    routing.exclude = {
      ...(exclude.sections.length > 0 ? { sections: exclude.sections } : {}),
      ...(exclude.tags.length > 0 ? { tags: exclude.tags } : {}),
    };
  }
  return Object.keys(routing).length > 0 ? routing : undefined;
}

/** A whole number as typed, or the text itself, so the check names what is wrong. */
const numberOf = (text: string): number | string =>
  /^\s*-?\d+\s*$/.test(text) ? Number(text) : text;

/** The fields the form sets, as the channel has them (undefined: the field is left out). */
function fieldsOf(form: ChannelForm): Record<string, unknown> {
  return {
    id: form.id.trim(),
    platform: form.platform,
    name: form.name.trim() || undefined,
    account: form.account.trim(),
    siteId: form.siteId,
    // empty: the site's default template, where it has one
    template: form.template.trim() === '' ? undefined : form.template,
    timezone: form.timezone.trim(),
    approval: form.approval,
    schedule:
      form.schedule === 'kept'
        ? undefined
        : form.schedule === 'delay'
          ? { type: 'delay', minutes: numberOf(form.delayMinutes) }
          : form.schedule === 'best'
            ? { type: 'best', withinHours: numberOf(form.withinHours) }
            : { type: 'asap' },
    routing: routingOf(form),
    corrections: correctionsOf(form),
  };
}

const withoutUndefined = (fields: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));

/** The channel's own fields, without what the directory keeps of it (status, version). */
function storedFields(channel: ChannelRecord | undefined): Record<string, unknown> {
  if (!channel) return {};
  const {
    status: _status,
    version: _version,
    statusReason: _reason,
    health: _health,
    ...fields
  } = channel;
  return fields;
}

/**
 * The channel the form makes: a new one (POST's body), or `original` with the form's
 * fields over it, a removed name or routing removed (what the server checks after a patch).
 */
export function channelOf(form: ChannelForm, original?: ChannelRecord): Record<string, unknown> {
  const fields = fieldsOf(form);
  const merged: Record<string, unknown> = { ...storedFields(original), ...fields };
  if (original && form.schedule === 'kept') merged.schedule = original.schedule;
  return withoutUndefined(merged);
}

/**
 * PATCH's body for an edit: a JSON merge patch of the form's fields (null removes a name
 * or the routing), with the version the form was opened at.
 */
export function patchOf(form: ChannelForm, original: ChannelRecord): Record<string, unknown> {
  const { id: _id, ...fields } = fieldsOf(form);
  const patch: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) patch[name] = value;
    else if (name !== 'schedule' && original[name] !== undefined && original[name] !== null) {
      patch[name] = null;
    }
  }
  // The routing is the form's, whole: a list it no longer names is removed, not kept.
  if (patch.routing && original.routing) patch.routing = replacing(original.routing, patch.routing);
  if (patch.corrections && original.corrections) {
    patch.corrections = replacing(original.corrections, patch.corrections);
  }
  return { ...patch, version: original.version };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A merge patch that turns `before` into `after`: what `after` leaves out becomes null. */
export function replacing(before: unknown, after: unknown): unknown {
  if (!isRecord(before) || !isRecord(after)) return after;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(before)) if (!(key in after)) patch[key] = null;
  for (const [key, value] of Object.entries(after)) patch[key] = replacing(before[key], value);
  return patch;
}

/** The directory's own check of the channel: its problems, each on the form field it names. */
export function checkForm(
  form: ChannelForm,
  original?: ChannelRecord,
  /** the chosen site's `defaults`, which fill a template or hashtags the form leaves out */
  siteDefaults?: unknown,
): { fields: Partial<Record<FormField, string[]>>; other: FieldIssue[] } {
  const defaults = siteDefaults as Parameters<typeof checkDirectoryChannel>[1];
  const checked = checkDirectoryChannel(channelOf(form, original), defaults);
  return issuesByField(checked.ok ? [] : checked.issues);
}

/** Issues (the directory's, or a 400's `fields`) by the form field they belong to. */
export function issuesByField(issues: readonly FieldIssue[]): {
  fields: Partial<Record<FormField, string[]>>;
  other: FieldIssue[];
} {
  const fields: Partial<Record<FormField, string[]>> = {};
  const other: FieldIssue[] = [];
  for (const issue of issues) {
    const found = FIELD_PATHS.find(
      ([path]) => issue.field === path || issue.field.startsWith(`${path}.`),
    );
    if (!found) {
      other.push(issue);
      continue;
    }
    const [path, field] = found;
    const rest = issue.field.slice(path.length + 1);
    // An entry of a list: "routing.sections.2" says which one.
    const at = /^\d+$/.test(rest) ? `entry ${Number(rest) + 1}: ` : rest ? `${rest}: ` : '';
    const messages = fields[field] ?? [];
    const message = `${at}${issue.message}`;
    if (!messages.includes(message)) messages.push(message);
    fields[field] = messages;
  }
  return { fields, other };
}

/** What the preview reads of an article, as the API's list gives it. */
export type PreviewArticle = {
  id: string;
  title: string;
  section?: string | null;
  tags?: readonly string[];
  language?: string | null;
  priority?: Routable['priority'];
};

export type PreviewRow = { id: string; title: string; section?: string; refusal?: string };

/**
 * Which of the articles the form's routing takes, and why not the others. Undefined
 * while the routing itself is invalid (its fields show why).
 */
export function previewRouting(
  form: ChannelForm,
  articles: readonly PreviewArticle[],
): PreviewRow[] | undefined {
  const parsed = routingSchema.safeParse(routingOf(form) ?? {});
  if (!parsed.success) return undefined;
  return articles.map((article) => ({
    id: article.id,
    title: article.title,
    section: article.section ?? undefined,
    refusal: routingRefusal(parsed.data, {
      section: article.section ?? undefined,
      tags: article.tags ?? [],
      language: article.language ?? undefined,
      priority: article.priority ?? 'normal',
    }),
  }));
}

/** The routing in a few words, for the channel list. */
export function routingSummary(routing: unknown): string {
  const parsed = routingSchema.safeParse(routing ?? {});
  if (!parsed.success) return 'Routing unreadable';
  const { sections, tags, languages, priorities, exclude } = parsed.data;
  const parts = [
    sections && `sections ${sections.join(', ')}`,
    tags && `tags ${tags.join(', ')}`,
    languages && `languages ${languages.join(', ')}`,
    priorities && `priorities ${priorities.join(', ')}`,
    exclude?.sections && `not sections ${exclude.sections.join(', ')}`,
    exclude?.tags && `not tags ${exclude.tags.join(', ')}`,
  ].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(' · ') : 'Every article of its site';
}
