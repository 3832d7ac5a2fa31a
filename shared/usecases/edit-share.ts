/**
 * The editors' writes: PATCH a share's text, thread and dueAt, and the actions approve, cancel,
 * publish now and retry. Each is one conditional write on the share's status and version;
 * a lost race is re-read and re-decided once before it answers 409.
 */
import { isDeskPost, siteOf } from '../domain/article';
import type { Channel } from '../domain/channel';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import type { ArticleRecord, ArticleStore, Clock, ShareRef, ShareStore } from '../domain/ports';
import type { Share } from '../domain/share';
import {
  type ActionResult,
  applyAction,
  applyEdit,
  assertEditable,
  checkDueAt,
  type EditorContext,
  type ShareAction,
  type TextChange,
  type ThreadChange,
} from '../domain/share-edit';
import { parseShareKey } from '../domain/share-key';
import { knownLinks } from '../platforms/bluesky/links';
import { findHashtags } from '../platforms/compose/hashtags';
import { checkEditedText, textLimit } from '../platforms/edited-text';
import { checkEditedThread } from '../platforms/edited-thread';
import type { ComposeSettings } from '../platforms/types';
import { newShare } from './compose-article';
import { type ImageInput, imageEdit, type ShareImageDeps } from './share-image';

export type EditShareDeps = {
  articles: ArticleStore;
  shares: ShareStore;
  channels: readonly Channel[];
  /** the site and author directory, to compose the text again */
  settings?: ComposeSettings;
  /** the article's own site's settings (the channel directory), where they differ by site */
  settingsFor?: (siteId: string) => ComposeSettings | undefined;
  clock: Clock;
  /** the direct path (dispatch.ts): claims and sends a share due within the look-ahead */
  enqueueIfDue: (share: Share) => Promise<Share>;
  /** a network's own text limit for a channel, where the server sets it (Mastodon) */
  serverLimit?: (channel: Channel) => Promise<number | undefined>;
  /**
   * Frees the posting slot the share held at its old dueAt. Called once a share is
   * cancelled or its dueAt moves (see releaseHeldSlot), and nowhere else.
   */
  releasePostingSlot?: (share: Share) => Promise<void>;
  /** makes a share's chosen image (shared/preview/chosen-image.ts); absent, choices are refused */
  chooseImage?: ShareImageDeps['chooseImage'];
};

/** Who acts, as editor-auth.ts found them. */
export type Actor = { by: string; role: EditorContext['role'] };

/** A share as the routes name it: the article and the share key (`<channelId>[~<round>]`). */
export type ShareAddress = { articleId: string; key: string };

/**
 * The PATCH body: a text (null drops the editor's text), the replies of a thread (null
 * drops the editor's parts, [] makes a single post), a dueAt, an image and its alt text;
 * any of them together.
 */
export type EditInput = {
  text?: string | null;
  thread?: string[] | null;
  dueAt?: string;
} & ImageInput;

type Loaded = { share: Share; record: ArticleRecord };

async function load(
  deps: Pick<EditShareDeps, 'shares' | 'articles'>,
  address: ShareAddress,
): Promise<Loaded> {
  const parts = parseShareKey(address.key);
  const missing = () =>
    new NotFoundError(`No share ${address.key} for article ${address.articleId}`);
  if (!parts) throw missing();
  // The round goes along for stores that key re-shares by it.
  const ref: ShareRef = { articleId: address.articleId, ...parts };
  const [share, record] = await Promise.all([
    deps.shares.get(ref),
    deps.articles.get(ref.articleId),
  ]);
  if (!record) throw new NotFoundError(`No article ${address.articleId}`);
  // A store that does not know rounds yet would answer with the first share.
  if (!share || (share.round ?? 1) !== (parts.round ?? 1)) throw missing();
  return { share, record };
}

/**
 * Decides and writes one change. If another writer got there first, the share is read
 * again and the change decided again on what it now is; a second loss answers 409.
 */
async function write(
  deps: EditShareDeps,
  address: ShareAddress,
  decide: (loaded: Loaded) => Promise<ActionResult>,
): Promise<{ before: Share; result: ActionResult }> {
  for (let tries = 1; ; tries++) {
    const loaded = await load(deps, address);
    const result = await decide(loaded);
    if (result.share === loaded.share) return { before: loaded.share, result };
    if (await deps.shares.replace(loaded.share, result.share)) {
      return { before: loaded.share, result };
    }
    if (tries === 2) {
      throw new ConflictError(
        `Share ${address.key} changed while this request was writing it: read it again and retry`,
      );
    }
  }
}

/** What follows a write: the old slot freed, and the share sent now if it falls due. */
async function settle(deps: EditShareDeps, before: Share, after: Share): Promise<Share> {
  if (after !== before) await releaseHeldSlot(deps, before, after);
  return after.status === 'scheduled' ? deps.enqueueIfDue(after) : after;
}

/** The one place a posting slot is given up: the share was cancelled or its dueAt moved. */
async function releaseHeldSlot(deps: EditShareDeps, before: Share, after: Share): Promise<void> {
  if (after.status === 'cancelled' || after.dueAt !== before.dueAt) {
    await deps.releasePostingSlot?.(before);
  }
}

function channelOf(deps: EditShareDeps, share: Share): Channel {
  const channel = deps.channels.find((c) => c.id === share.channelId);
  if (!channel) {
    throw new ConflictError(
      `Channel ${share.channelId} is no longer configured: its text cannot be checked`,
    );
  }
  return channel;
}

/** The instance's own text limit (Mastodon); when it cannot be read now, the one compose read. */
async function serverLimitFor(
  deps: EditShareDeps,
  channel: Channel,
  share: Share,
): Promise<number | undefined> {
  return (
    (await deps.serverLimit?.(channel)) ??
    (channel.platform === 'mastodon' ? share.length?.limit : undefined)
  );
}

/** The text as the channel composes it today, from the article's newest revision. */
async function composedText(
  deps: EditShareDeps,
  channel: Channel,
  share: Share,
  record: ArticleRecord,
): Promise<TextChange> {
  const server = await serverLimitFor(deps, channel, share);
  const settings = deps.settingsFor?.(siteOf(record.article)) ?? deps.settings;
  const composed = newShare(record, channel, deps.clock.now(), settings, {
    media: {},
    limits: server ? { [channel.id]: server } : {},
  });
  if (composed.lastError) throw new ConflictError(composed.lastError);
  const { text, hashtags, length, facets, thread, url, language, articleRevision } = composed;
  return {
    reset: true,
    fields: { text, hashtags, length, facets, thread, url, language, articleRevision },
  };
}

/** The hashtags a thread carries: the first post's, then each reply's, once each. */
function threadHashtags(text: string, parts: readonly string[] | undefined): string[] {
  const tags = [text, ...(parts ?? [])].flatMap((t) => findHashtags(t).map((m) => m.tag));
  return [...new Set(tags)];
}

/**
 * The text and thread changes a PATCH asks for. A text alone keeps the thread as it is;
 * `text: null` composes the first post again and keeps the editor's parts, if any, else
 * takes the composed ones; `thread: null` composes the parts again (and the first post
 * too where the editor never set it, so that the two are one composition).
 */
async function textAndThread(
  deps: EditShareDeps,
  share: Share,
  record: ArticleRecord,
  input: EditInput,
): Promise<{ text?: TextChange; thread?: ThreadChange }> {
  if (input.text === undefined && input.thread === undefined) return {};
  if ((input.text === null || input.thread === null) && isDeskPost(record.article)) {
    const field = input.text === null ? 'text' : 'thread';
    const message = `a desk post has no article to compose its ${field === 'text' ? 'text' : 'parts'} from: give the ${field === 'text' ? 'text' : 'parts'}`;
    throw new ValidationError(`Invalid ${field}: ${message}`, [{ field, message }]);
  }
  const channel = channelOf(deps, share);
  const limit = textLimit(channel, await serverLimitFor(deps, channel, share));
  let composed: TextChange | undefined;
  const compose = async () => {
    composed ??= await composedText(deps, channel, share, record);
    const { thread: parts, ...fields } = composed.fields;
    return { fields, parts };
  };

  let text: TextChange | undefined;
  let thread: ThreadChange | undefined;
  if (input.text === null) {
    const { fields, parts } = await compose();
    text = { reset: true, fields };
    if (input.thread === undefined && !share.edited?.thread) thread = { reset: true, parts };
  } else if (input.text !== undefined) {
    // The link labels the text showed keep their links (Bluesky).
    text = {
      reset: false,
      fields: checkEditedText(channel, input.text, limit, 'text', knownLinks(share)),
    };
  }
  if (input.thread === null) {
    const { fields, parts } = await compose();
    thread = { reset: true, parts };
    if (input.text === undefined && !share.edited?.text) text = { reset: true, fields };
  } else if (input.thread !== undefined) {
    const parts = checkEditedThread(channel, input.thread, limit);
    thread = { reset: false, parts: parts.length > 0 ? parts : undefined };
    // The first post stays as it is: it must still be one the network takes.
    text ??= {
      reset: false,
      fields: checkEditedText(channel, share.text, limit, 'text', knownLinks(share)),
    };
  }
  if (text && !text.reset) {
    text.fields.hashtags = threadHashtags(text.fields.text, thread ? thread.parts : share.thread);
  }
  return { ...(text ? { text } : {}), ...(thread ? { thread } : {}) };
}

export async function editShare(
  deps: EditShareDeps,
  address: ShareAddress,
  input: EditInput,
  actor: Actor,
): Promise<Share> {
  const { before, result } = await write(deps, address, async ({ share, record }) => {
    const ctx: EditorContext = { ...actor, at: deps.clock.now(), article: record.article };
    // 409 before 400: a published share's text is not worth checking.
    assertEditable(share, record.article);
    const { text, thread } = await textAndThread(deps, share, record, input);
    const dueAt =
      input.dueAt === undefined
        ? undefined
        : checkDueAt(input.dueAt, ctx.at, record.article.shareAt);
    // Made last, once everything else is known to be acceptable: it stores images.
    const image = await imageEdit(
      {
        chooseImage: deps.chooseImage,
        siteOf: (siteId) => (deps.settingsFor?.(siteId) ?? deps.settings)?.site,
      },
      share,
      record,
      input,
    );
    return { share: applyEdit(share, { text, thread, dueAt, image }, ctx), accepted: false };
  });
  return settle(deps, before, result.share);
}

export async function actOnShare(
  deps: EditShareDeps,
  address: ShareAddress,
  action: ShareAction,
  actor: Actor,
): Promise<ActionResult> {
  const { before, result } = await write(deps, address, async ({ share, record }) =>
    applyAction(share, action, { ...actor, at: deps.clock.now(), article: record.article }),
  );
  return { share: await settle(deps, before, result.share), accepted: result.accepted };
}

/**
 * Moves a share's dueAt by `minutes` from the dueAt it has when written (a bulk
 * reschedule): checked and written as a PATCH of that dueAt is, so a lost race moves
 * the share from where the other writer left it, not twice.
 */
export async function shiftShare(
  deps: EditShareDeps,
  address: ShareAddress,
  minutes: number,
  actor: Actor,
): Promise<Share> {
  const { before, result } = await write(deps, address, async ({ share, record }) => {
    const ctx: EditorContext = { ...actor, at: deps.clock.now(), article: record.article };
    assertEditable(share, record.article);
    const moved = new Date(Date.parse(share.dueAt) + minutes * 60_000).toISOString();
    const dueAt = checkDueAt(moved, ctx.at, record.article.shareAt);
    return { share: applyEdit(share, { dueAt }, ctx), accepted: false };
  });
  return settle(deps, before, result.share);
}

/** The share and its article as stored, for a caller that decides before it writes. */
export async function loadShare(
  deps: Pick<EditShareDeps, 'shares' | 'articles'>,
  address: ShareAddress,
): Promise<{ share: Share; record: ArticleRecord }> {
  return load(deps, address);
}
