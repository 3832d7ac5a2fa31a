/**
 * Which channels take an article (docs/configuring.md, "Routing"): the channel's site,
 * an editor's choice for this article (channels added or dropped in the editor), the
 * article's own choice of channels (`channels.only` / `channels.skip`), and the
 * channel's standing routing rules. Pure; compose (shared/usecases/compose-article.ts)
 * applies it when it creates shares.
 */
import * as z from 'zod';
import {
  ARTICLE_PRIORITIES,
  type Article,
  type ChannelChoice,
  DEFAULT_SITE_ID,
  normalizeChoice,
  siteOf,
} from './article';

export { type ChannelChoice, DEFAULT_SITE_ID };

/** A site id, spelt like a channel id. */
export const siteIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes, at most 63');

const entry = z.string().trim().min(1).max(200);
/** An include or exclude list; an empty one would match nothing, so it must name something. */
const list = z.array(entry).min(1).max(500);

export const routingSchema = z.strictObject({
  /** the article's section is one of these */
  sections: list.optional(),
  /** at least one of the article's tags is one of these */
  tags: list.optional(),
  /** the article's language is one of these; `en` takes `en-GB` too */
  languages: z
    .array(
      z
        .string()
        .trim()
        .regex(
          /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/,
          'must be a BCP 47 language tag like en or en-GB',
        ),
    )
    .min(1)
    .max(100)
    .optional(),
  /** the article's priority is one of these */
  priorities: z
    .array(z.string().trim().toLowerCase().pipe(z.enum(ARTICLE_PRIORITIES)))
    .min(1)
    .optional(),
  /** the article is not taken when its section, or any of its tags, is listed here */
  exclude: z
    .strictObject({
      sections: list.optional(),
      tags: list.optional(),
    })
    .optional(),
});
export type Routing = z.output<typeof routingSchema>;
export type RoutingInput = z.input<typeof routingSchema>;

/** What routing reads of an article. */
export type Routable = {
  section?: string;
  tags: readonly string[];
  language?: string;
  priority: Article['priority'];
};

const key = (value: string) => value.trim().toLowerCase();

const includes = (list: readonly string[], value: string | undefined) =>
  value !== undefined && value.trim() !== '' && list.some((item) => key(item) === key(value));

/** `en` matches `en` and `en-GB`; `en-GB` matches `en-gb` but not `en` or `en-US`. */
export function languageMatches(entry: string, language: string): boolean {
  const [want, have] = [key(entry), key(language)];
  return want !== '' && (have === want || have.startsWith(`${want}-`));
}

/**
 * Why the channel's routing rules leave the article out, in words (`section Sport not in
 * [News]`), or undefined when they take it: every include list they name matches and no
 * exclude list does. No rules (or no lists in them) take every article. The editor UI's
 * routing preview shows these reasons.
 */
export function routingRefusal(
  routing: Routing | undefined,
  article: Routable,
): string | undefined {
  if (!routing) return undefined;
  const { sections, tags, languages, priorities, exclude } = routing;
  const listed = (list: readonly string[]) => `[${list.join(', ')}]`;
  const section = article.section?.trim() ? article.section : undefined;
  if (sections && !includes(sections, section)) {
    return section
      ? `section ${section} not in ${listed(sections)}`
      : `no section; routing wants ${listed(sections)}`;
  }
  if (tags && !article.tags.some((tag) => includes(tags, tag))) {
    return article.tags.length
      ? `no tag in ${listed(tags)} (tags: ${article.tags.join(', ')})`
      : `no tags; routing wants one of ${listed(tags)}`;
  }
  if (languages) {
    const { language } = article;
    if (!language) return `no language; routing wants ${listed(languages)}`;
    if (!languages.some((entry) => languageMatches(entry, language))) {
      return `language ${language} not in ${listed(languages)}`;
    }
  }
  if (priorities && !includes(priorities, article.priority)) {
    return `priority ${article.priority} not in ${listed(priorities)}`;
  }
  const excluded = exclude ?? {};
  if (excluded.sections && includes(excluded.sections, section)) {
    return `section ${section} is excluded`;
  }
  const excludedTags = excluded.tags;
  const excludedTag = excludedTags && article.tags.find((tag) => includes(excludedTags, tag));
  if (excludedTag) return `tag ${excludedTag} is excluded`;
  return undefined;
}

/** Whether the channel's routing rules take the article (see routingRefusal). */
export function routes(routing: Routing | undefined, article: Routable): boolean {
  return routingRefusal(routing, article) === undefined;
}

/** What deciding reads of a channel. */
export type RoutedChannel = { id: string; siteId: string; routing?: Routing };

/** What deciding reads of an article. */
export type RoutedArticle = Routable & { siteId?: string; channels?: ChannelChoice };

/**
 * Channels an editor added to one article or dropped from it (POST
 * /api/articles/{articleId}/channels): the last word on that article, over the CMS's
 * choice and the channels' routing rules, kept on the article apart from its revisions
 * so a later revision cannot undo it. A channel is in one list at most. `version`
 * counts the changes, for conditional writes.
 */
export type ChannelOverrides = { added: string[]; dropped: string[]; version: number };

export const channelOverridesSchema = z.object({
  added: z.array(z.string()),
  dropped: z.array(z.string()),
  version: z.number().int().min(1),
});

/** What an editor's add and drop make of the overrides: each channel in the list of the last word. */
export function overrideChannels(
  current: ChannelOverrides | undefined,
  change: { add: readonly string[]; drop: readonly string[] },
): ChannelOverrides {
  const added = new Set(current?.added);
  const dropped = new Set(current?.dropped);
  for (const id of change.add) {
    added.add(id);
    dropped.delete(id);
  }
  for (const id of change.drop) {
    dropped.add(id);
    added.delete(id);
  }
  return { added: [...added], dropped: [...dropped], version: (current?.version ?? 0) + 1 };
}

/** Whether an editor dropped the channel from the article. */
export const isDropped = (overrides: ChannelOverrides | undefined, channelId: string) =>
  overrides?.dropped.some((id) => key(id) === key(channelId)) ?? false;

/**
 * Whether a channel takes an article. A channel only ever takes its own site's articles.
 * Then an editor's choice for this article (`overrides`): a channel they dropped never
 * takes it, one they added always does. Then the article's choice: a channel it skips
 * never takes it; where it names channels with `only`, just those take it, whatever
 * their routing rules say; otherwise the channel's routing rules decide.
 */
export function takes(
  channel: RoutedChannel,
  article: RoutedArticle,
  overrides?: ChannelOverrides,
): boolean {
  if (channel.siteId !== siteOf(article)) return false;
  const id = key(channel.id);
  if (isDropped(overrides, channel.id)) return false;
  if (overrides?.added.some((added) => key(added) === id)) return true;
  const choice = article.channels;
  if (choice?.skip?.some((skipped) => key(skipped) === id)) return false;
  if (choice?.only?.length) return choice.only.some((chosen) => key(chosen) === id);
  return routes(channel.routing, article);
}

/** The per-article tags of the WordPress and Ghost convention: `crier-only-<id>`, `crier-skip-<id>`. */
const CHOICE_TAG = /^(?:hash-|#)?crier-(only|skip)-([a-z0-9][a-z0-9-]*)$/;

/**
 * Reads a CMS tag slug (or name) as a per-article channel choice: `crier-only-x-desk`,
 * `crier-skip-x-desk`, or Ghost's internal `#crier-only-x-desk` (slug `hash-crier-only-…`).
 * Anything else is not a choice.
 */
export function choiceTag(
  slug: string | null | undefined,
): { kind: 'only' | 'skip'; channelId: string } | undefined {
  const match = CHOICE_TAG.exec(key(slug ?? ''));
  if (!match?.[1] || !match[2]) return undefined;
  return { kind: match[1] as 'only' | 'skip', channelId: match[2] };
}

/** The choice a list of CMS tag slugs makes, or none. */
export function choiceOfTags(
  slugs: readonly (string | null | undefined)[],
): ChannelChoice | undefined {
  const only: string[] = [];
  const skip: string[] = [];
  for (const slug of slugs) {
    const found = choiceTag(slug);
    if (found) (found.kind === 'only' ? only : skip).push(found.channelId);
  }
  return normalizeChoice({ only, skip });
}
