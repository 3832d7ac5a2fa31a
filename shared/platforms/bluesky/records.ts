/**
 * The app.bsky.feed.post records Crier writes: what goes into one before createRecord
 * (text, facets, language, the card's embed with its uploaded thumbnail, a reply's root
 * and parent), and the public address of one once written.
 */
import {
  type $Typed,
  type AppBskyEmbedExternal,
  type AppBskyFeedPost,
  AtUri,
  type BlobRef,
  XRPCError,
} from '@atproto/api';
import type { Share } from '../../domain/share';
import type { LinkCard } from '../types';
import { blueskyPost } from './composer';
import { knownLinks } from './links';
import { withMentionFacets } from './mentions';
import { blueskyLanguage } from './rules';
import type { PooledAgent } from './session';

/** The collection of a post's record. */
export const POST = 'app.bsky.feed.post';

/** An image for the card's thumbnail: at most 1,000,000 bytes, `image/*` (docs/networks.md). */
export type Thumbnail = { bytes: Uint8Array; mimeType: string };

export type BlueskyClientOptions = {
  /**
   * Where a card's thumbnail comes from. Nothing here fetches `card.imageUrl` (these
   * machines are offline; previews come from shared/preview later): when this returns
   * bytes, the client uploads them with `uploadBlob` and the blob goes into
   * `embed.external.thumb`; otherwise the card goes out without one.
   */
  thumbnail?: (card: LinkCard, signal: AbortSignal) => Promise<Thumbnail | undefined>;
};

function externalEmbed(
  card: LinkCard,
  thumb: BlobRef | undefined,
): $Typed<AppBskyEmbedExternal.Main> {
  return {
    $type: 'app.bsky.embed.external',
    external: {
      uri: card.url,
      title: card.title,
      // The lexicon requires the field, even empty.
      description: card.description ?? '',
      ...(thumb ? { thumb } : {}),
    },
  };
}

/** A post's record but its `createdAt`, which is stamped when createRecord is sent. */
export type Draft = Pick<
  AppBskyFeedPost.Main,
  '$type' | 'text' | 'facets' | 'langs' | 'embed' | 'reply'
>;

function shareDraft(share: Share, thumb: BlobRef | undefined): Draft {
  return {
    $type: POST,
    text: share.text,
    ...(share.facets && share.facets.length > 0 ? { facets: share.facets } : {}),
    ...langsOf(share),
    ...(share.card ? { embed: externalEmbed(share.card, thumb) } : {}),
  };
}

/**
 * The share's language as `langs`, where the PDS would take it: a share composed before
 * tags were checked may carry one it refuses, which is left out rather than failing the post.
 */
function langsOf(share: Share): Pick<Draft, 'langs'> {
  const tag = blueskyLanguage(share.language);
  return tag ? { langs: [tag] } : {};
}

/** A strong reference (uri and cid), as a reply names its root and its parent. */
type StrongRef = { uri: string; cid: string };

/**
 * A part of the thread: its own text with its own facets (the composer's are for the
 * first post), and `reply` naming the thread's first post as root and the previous
 * post as parent. A URL the part has in full goes out as its label, and a label the
 * share shows (its URL's, or one the first post links) links to its URL.
 */
function replyDraft(share: Share, part: string, root: StrongRef, parent: StrongRef): Draft {
  const { text, facets } = blueskyPost(part, { urls: [share.url], known: knownLinks(share) });
  return {
    $type: POST,
    text,
    ...(facets.length > 0 ? { facets } : {}),
    ...langsOf(share),
    reply: { root, parent },
  };
}

/** `https://bsky.app/profile/{handle}/post/{rkey}`; the DID when the handle does not verify. */
export function publicUrl(
  session: { did: string; handle: string } | undefined,
  rkey: string,
): string {
  const actor = !session || session.handle === 'handle.invalid' ? session?.did : session.handle;
  return `https://bsky.app/profile/${actor ?? 'unknown'}/post/${rkey}`;
}

/**
 * What must be there before createRecord (a thumbnail, the reply's references, the
 * mentions' DIDs), or why not; `warnings` name the mentions left as plain text.
 */
export type Prepared =
  | { ok: true; draft: Draft; warnings?: string[] }
  | { ok: false; error: unknown; step: string };

/**
 * A DID for a handle through the session's agent (com.atproto.identity.resolveHandle);
 * undefined when the network answers that it cannot resolve it. Any other failure
 * throws: the post waits for a retry rather than going out without its mentions.
 */
async function resolveHandle(pooled: PooledAgent, handle: string): Promise<string | undefined> {
  try {
    const response = await pooled.agent.com.atproto.identity.resolveHandle({ handle });
    return response.data.did;
  } catch (error) {
    // "Unable to resolve handle" (and a handle that is not one) is a 400 InvalidRequest;
    // a 400 ExpiredToken or any other answer is not about the handle.
    if (error instanceof XRPCError && error.status === 400 && error.error === 'InvalidRequest') {
      return undefined;
    }
    throw error;
  }
}

/** The draft with a mention facet for each `@handle` that resolves (mentions.ts). */
async function withMentions(pooled: PooledAgent, draft: Draft): Promise<Prepared> {
  try {
    const { facets, warnings } = await withMentionFacets(draft.text, draft.facets ?? [], (handle) =>
      resolveHandle(pooled, handle),
    );
    const { facets: _old, ...rest } = draft;
    return {
      ok: true,
      draft: { ...rest, ...(facets.length > 0 ? { facets } : {}) },
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  } catch (error) {
    return { ok: false, error, step: 'the mention lookup' };
  }
}

async function uploadThumbnail(
  pooled: PooledAgent,
  card: LinkCard,
  options: BlueskyClientOptions,
): Promise<{ ok: true; blob?: BlobRef } | { ok: false; error: unknown }> {
  if (!options.thumbnail) return { ok: true };
  try {
    const image = await options.thumbnail(card, pooled.deadline);
    if (!image) return { ok: true };
    const uploaded = await pooled.agent.com.atproto.repo.uploadBlob(image.bytes, {
      encoding: image.mimeType,
    });
    return { ok: true, blob: uploaded.data.blob };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The share's own post: its card's thumbnail uploaded first, where there is one. */
export function prepareShare(share: Share, options: BlueskyClientOptions) {
  return async (pooled: PooledAgent): Promise<Prepared> => {
    if (!share.card) return withMentions(pooled, shareDraft(share, undefined));
    const uploaded = await uploadThumbnail(pooled, share.card, options);
    if (!uploaded.ok) return { ok: false, error: uploaded.error, step: 'the thumbnail upload' };
    return withMentions(pooled, shareDraft(share, uploaded.blob));
  };
}

/** A post's strong reference, read back from the repository by its `at://` URI. */
async function strongRef(pooled: PooledAgent, uri: string): Promise<StrongRef> {
  const at = new AtUri(uri);
  const response = await pooled.agent.com.atproto.repo.getRecord({
    repo: at.host,
    collection: at.collection,
    rkey: at.rkey,
  });
  if (!response.data.cid) throw new Error(`getRecord answered ${uri} without its cid`);
  return { uri: response.data.uri, cid: response.data.cid };
}

/**
 * A part of the thread: the root's and the parent's cids come from the repository (only
 * their URIs are recorded), so a resumed thread needs nothing kept from earlier calls.
 */
export function prepareReply(share: Share, text: string, parentId: string) {
  return async (pooled: PooledAgent): Promise<Prepared> => {
    const rootId = share.remoteId;
    if (!rootId) {
      return { ok: false, error: new Error('the thread has no first post'), step: 'the reply' };
    }
    let draft: Draft;
    try {
      const root = await strongRef(pooled, rootId);
      const parent = parentId === rootId ? root : await strongRef(pooled, parentId);
      draft = replyDraft(share, text, root, parent);
    } catch (error) {
      return { ok: false, error, step: 'the lookup of the post it answers' };
    }
    return withMentions(pooled, draft);
  };
}
