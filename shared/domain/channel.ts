/**
 * A channel: one account on one network, with the template, hashtags, UTM parameters,
 * schedule and approval mode its posts follow. Channels come from the config file
 * (shared/config/channels.ts); this is their schema.
 */
import * as z from 'zod';
import { correctionPolicySchema } from './correction';
import { feedSchema } from './feed';
import { PLATFORMS } from './platform';
import { DEFAULT_SITE_ID, routingSchema, siteIdSchema } from './routing';
import { syndicationConfigSchema } from './syndication-config';
import { WITHDRAW_CHOICES, WITHDRAWN_TEXT_FIELDS } from './withdrawal';

/** Placeholders a post template may use; see docs/configuring.md, "Post templates". */
export const TEMPLATE_FIELDS = [
  'title',
  'summary',
  'url',
  'section',
  'authors',
  'handles',
  'hashtags',
  'imageCredit',
  'site',
  'author',
] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

/** Placeholders a UTM value may use. */
export const UTM_FIELDS = ['platform', 'channel', 'section', 'sourceId'] as const;

const placeholders = (value: string) => [...value.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');

const templateString = (allowed: readonly string[], max = 5000) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((value, ctx) => {
      for (const name of placeholders(value)) {
        if (!allowed.includes(name)) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown placeholder {${name}}; use one of ${allowed.map((f) => `{${f}}`).join(' ')}`,
          });
        }
      }
    });

/** A local wall-clock time, `HH:MM`. */
const localTime = z
  .string()
  .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a local time HH:MM, from 00:00 to 23:59');

/** Limits every schedule type may add; each is off unless set. */
const constraints = {
  /** the least time between two posts on the channel */
  minSpacingMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .optional(),
  /** the most posts per local calendar day, in the channel's time zone */
  dailyCap: z.number().int().min(1).max(1000).optional(),
  /** local hours in which nothing goes out; `from` later than `to` wraps midnight */
  quietHours: z
    .object({ from: localTime, to: localTime })
    .refine((q) => q.from !== q.to, { message: 'from and to must differ', path: ['to'] })
    .optional(),
};

const slotTimes = z
  .array(localTime)
  .max(96)
  .refine((times) => new Set(times).size === times.length, { message: 'lists a time twice' })
  .transform((times) => [...times].sort());

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

export const scheduleSchema = z.discriminatedUnion('type', [
  /** as soon as the article is in (and not before its shareAt embargo) */
  z.object({ type: z.literal('asap'), ...constraints }),
  /** a fixed delay after the article arrives */
  z.object({
    type: z.literal('delay'),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(60 * 24 * 30),
    ...constraints,
  }),
  /**
   * the best free time within `withinHours` of the earliest, as the channel's engagement
   * by hour of the week has been learned (shared/domain/best-times.ts)
   */
  z.object({
    type: z.literal('best'),
    withinHours: z.number().int().min(1).max(168).default(24),
    ...constraints,
  }),
  /** the next free one of the weekday slots, in the channel's time zone */
  z
    .object({
      type: z.literal('slots'),
      slots: z.strictObject({
        mon: slotTimes.optional(),
        tue: slotTimes.optional(),
        wed: slotTimes.optional(),
        thu: slotTimes.optional(),
        fri: slotTimes.optional(),
        sat: slotTimes.optional(),
        sun: slotTimes.optional(),
      }),
      ...constraints,
    })
    .superRefine((schedule, ctx) => {
      const days = Object.entries(schedule.slots);
      if (!days.some(([, times]) => times?.length)) {
        ctx.addIssue({ code: 'custom', path: ['slots'], message: 'needs at least one slot' });
      }
      const quiet = schedule.quietHours;
      if (!quiet) return;
      const [from, to] = [minutesOf(quiet.from), minutesOf(quiet.to)];
      for (const [day, times] of days) {
        for (const time of times ?? []) {
          const at = minutesOf(time);
          if (from < to ? at >= from && at < to : at >= from || at < to) {
            ctx.addIssue({
              code: 'custom',
              path: ['slots', day],
              message: `${time} falls within the quiet hours ${quiet.from}-${quiet.to}`,
            });
          }
        }
      }
    }),
]);
export type Schedule = z.infer<typeof scheduleSchema>;

/** How a channel turns sections and tags into hashtags. */
const hashtagsSchema = z.object({
  max: z.number().int().min(0).max(30).default(2),
  fromSection: z.boolean().default(true),
  fromTags: z.boolean().default(true),
  /** always added first, e.g. the newsroom's own tag */
  always: z.array(z.string().min(1).max(100)).max(10).default([]),
  /** sections and tags never to turn into hashtags, besides the built-in stop list */
  stop: z.array(z.string().min(1).max(100)).max(200).default([]),
});

export const channelSchema = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes, at most 63'),
  platform: z.enum(PLATFORMS),
  name: z.string().min(1).max(200).optional(),
  /** the account's handle or identifier on the network, as editors know it */
  account: z.string().min(1).max(200),
  template: templateString(TEMPLATE_FIELDS),
  hashtags: hashtagsSchema.prefault({}),
  utm: z
    .object({
      source: templateString(UTM_FIELDS),
      medium: templateString(UTM_FIELDS),
      campaign: templateString(UTM_FIELDS),
      term: templateString(UTM_FIELDS).optional(),
      content: templateString(UTM_FIELDS).optional(),
    })
    .optional(),
  schedule: scheduleSchema.prefault({ type: 'asap' }),
  timezone: z
    .string()
    .default('UTC')
    .refine(
      (tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be an IANA time zone such as Europe/Berlin' },
    ),
  approval: z.enum(['none', 'required']).default('none'),
  /** the instance's text limit where the network lets servers choose (Mastodon) */
  maxCharacters: z.number().int().min(1).max(100_000).optional(),
  /**
   * An evergreen article is shared again `afterDays` after each round went out, at most
   * `max` more times, each time with a fresh text: the next of `templates` in turn, or
   * the channel's template behind `prefix`.
   */
  evergreen: z
    .object({
      afterDays: z.number().int().min(1).max(3650).default(30),
      max: z.number().int().min(0).max(50).default(2),
      templates: z.array(templateString(TEMPLATE_FIELDS)).min(1).max(20).optional(),
      prefix: templateString(TEMPLATE_FIELDS)
        .refine((p) => p.length <= 200, { message: 'must be at most 200 characters' })
        .default('From our archive:'),
    })
    .prefault({}),
  /** a standfirst too long for one post continues in replies instead of being cut */
  thread: z
    .object({
      enabled: z.boolean().default(false),
      /** the most posts, the first included */
      max: z.number().int().min(2).max(10).default(4),
    })
    .prefault({}),
  /**
   * What becomes of a published post when its article is unpublished or deleted: kept,
   * deleted, or edited to `withdrawnText` (docs/configuring.md, "Updates and withdrawals").
   */
  onWithdraw: z.enum(WITHDRAW_CHOICES).default('keep'),
  /**
   * The post's new text for `edit`; with `delete`, what the post is edited to where the
   * network refuses the delete (Telegram, after 48 hours). Short, so it fits every network
   * with the title in it.
   */
  withdrawnText: templateString(WITHDRAWN_TEXT_FIELDS, 200).optional(),
  /**
   * Reading the engagement of its posts (docs/configuring.md, "Engagement readings"): on
   * by default, except on X, whose reads cost money: there `enabled` with a
   * `monthlyReads` budget turns them on. `monthlyReads` caps any network's reads a month.
   */
  metrics: z
    .strictObject({
      enabled: z.boolean().optional(),
      monthlyReads: z.number().int().min(1).max(10_000_000).optional(),
    })
    .optional(),
  /**
   * What a correction of the article does to a published post: edit it, reply under it,
   * tell the editors or nothing (docs/configuring.md, "Corrections"); absent: the defaults.
   */
  corrections: correctionPolicySchema.optional(),
  /** the site whose articles the channel takes; it never takes another site's */
  siteId: siteIdSchema.default(DEFAULT_SITE_ID),
  /**
   * Which of its site's articles the channel takes, by section, tags, language and
   * priority (shared/domain/routing.ts); without it, all of them.
   */
  routing: routingSchema.optional(),
});

export type Channel = z.output<typeof channelSchema>;
export type ChannelInput = z.input<typeof channelSchema>;

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1a2b3c');

/** The newsroom: its name for `{site}`, and the brand its share cards are drawn in. */
export const siteSchema = z.object({
  name: z.string().min(1).max(100),
  url: z.url({ protocol: /^https?$/ }).optional(),
  brand: z
    .object({
      background: colour.default('#111827'),
      foreground: colour.default('#ffffff'),
      accent: colour.default('#e11d48'),
      /** an SVG or PNG logo, as a path relative to the config file or a data: URL */
      logo: z.string().min(1).optional(),
    })
    .prefault({}),
  /**
   * What a channel of the site takes where it sets none of its own: the template (the
   * network's own first, then the site's) and the hashtag rules. Filled in when the
   * channel is written (imported, created or changed), so a channel always shows the
   * template it posts with.
   */
  defaults: z
    .object({
      template: templateString(TEMPLATE_FIELDS).optional(),
      templates: z.partialRecord(z.enum(PLATFORMS), templateString(TEMPLATE_FIELDS)).optional(),
      hashtags: hashtagsSchema.partial().optional(),
    })
    .optional(),
  /**
   * An article first seen more than this many hours after it was published is shared
   * as drafts awaiting approval (an old story re-sent by a CMS migration); unset: never.
   */
  staleAfterHours: z
    .number()
    .positive()
    .max(24 * 3650)
    .optional(),
});
export type Site = z.output<typeof siteSchema>;

/** Authors' handles by name, per network, for `{handles}` where the CMS sends none. */
export const authorDirectorySchema = z.record(
  z.string().min(1).max(200),
  z.partialRecord(z.enum(PLATFORMS), z.string().trim().min(1).max(200)),
);
export type AuthorDirectory = z.output<typeof authorDirectorySchema>;

type SiteDefaults = NonNullable<Site['defaults']>;

/**
 * The channel with its site's defaults where it sets no template or hashtags of its own:
 * the network's template, else the site's; the site's hashtag rules.
 */
export function withSiteDefaults(channel: unknown, defaults: unknown): unknown {
  if (!channel || typeof channel !== 'object' || Array.isArray(channel)) return channel;
  if (!defaults || typeof defaults !== 'object') return channel;
  const { template, templates, hashtags } = defaults as Partial<SiteDefaults>;
  const fields = channel as Record<string, unknown>;
  const filled = { ...fields };
  if (fields.template === undefined) {
    const platform = typeof fields.platform === 'string' ? fields.platform : '';
    const own = templates && typeof templates === 'object' ? templates : {};
    const chosen = (own as Record<string, unknown>)[platform] ?? template;
    if (chosen !== undefined) filled.template = chosen;
  }
  if (fields.hashtags === undefined && hashtags !== undefined) filled.hashtags = hashtags;
  return filled;
}

/** A channels file's channels, each with the file's site defaults where it sets none. */
function fillFromSite(input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const config = input as { site?: { defaults?: unknown }; channels?: unknown };
  const defaults = config.site?.defaults;
  if (!defaults || !Array.isArray(config.channels)) return input;
  return { ...config, channels: config.channels.map((c) => withSiteDefaults(c, defaults)) };
}

const channelsConfigObject = z
  .object({
    site: siteSchema.optional(),
    authors: authorDirectorySchema.default({}),
    channels: z.array(channelSchema).min(1),
    /** feeds polled for articles, besides what the CMS webhooks send */
    feeds: z.array(feedSchema).max(50).default([]),
    /** where the CMS hears of each published post (a signed webhook); none: it is not told */
    syndication: syndicationConfigSchema.optional(),
  })
  .superRefine((config, ctx) => {
    const feedIds = new Set<string>();
    config.feeds.forEach((feed, index) => {
      if (feedIds.has(feed.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['feeds', index, 'id'],
          message: `duplicate feed id ${feed.id}`,
        });
      }
      feedIds.add(feed.id);
    });
    const seen = new Set<string>();
    config.channels.forEach((channel, index) => {
      if (seen.has(channel.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['channels', index, 'id'],
          message: `duplicate channel id ${channel.id}`,
        });
      }
      seen.add(channel.id);
    });
  });

/** The channels file (`CRIER_CONFIG`): the site, its channels, feeds and syndication. */
export const channelsConfigSchema = z.preprocess(fillFromSite, channelsConfigObject);
export type ChannelsConfig = z.output<typeof channelsConfigSchema>;
