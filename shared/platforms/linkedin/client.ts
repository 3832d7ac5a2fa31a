/**
 * Crier's LinkedIn client over plain fetch (docs/networks.md): a share becomes an article post
 * (`POST /rest/posts`), a duplicate answer is checked against the post it names,
 * reconcile looks through the author's posts for the article link (reconcile.ts), and a
 * withdrawn article's post is deleted or its commentary edited (withdraw.ts); a correction
 * note is a comment on the post (notes.ts)
 * (docs/networks.md, LinkedIn).
 */
import type { Share } from '../../domain/share';
import type { ClientCall, NetworkClient, PublishOutcome } from '../client';
import { type Exchange, restCall, unansweredCreate } from '../rest/http';
import { type Api, decoded, linkedinPostUrl, POST_URN, postPath, postSchema, rest } from './api';
import { parseLinkedInCredentials } from './credentials';
import { describe, duplicateOf, refusal } from './errors';
import { readLinkedInMetrics } from './metrics';
import { publishNote, reconcileNote } from './notes';
import { isShare, reconcile } from './reconcile';
import { toLittleText } from './rules';
import { type LinkedInClientOptions, uploadThumbnail } from './thumbnail';
import { withdraw } from './withdraw';

export { linkedinPostUrl } from './api';
export { linkedinCredentialsSchema } from './credentials';
export type { LinkedInClientOptions, LinkedInThumbnail } from './thumbnail';

/** The first line of the text: a title for a share that somehow has no card. */
function fallbackTitle(share: Share): string {
  return (share.text.split('\n', 1)[0] ?? '').trim() || share.url;
}

function postBody(share: Share, author: string, thumbnail: string | undefined) {
  return {
    author,
    commentary: toLittleText(share.text),
    visibility: 'PUBLIC',
    distribution: {
      feedDistribution: 'MAIN_FEED',
      targetEntities: [],
      thirdPartyDistributionChannels: [],
    },
    // A post with no link (a desk post without one) is commentary alone.
    ...(share.url
      ? {
          content: {
            article: {
              source: share.url,
              title: share.card?.title ?? fallbackTitle(share),
              ...(share.card?.description ? { description: share.card.description } : {}),
              ...(thumbnail ? { thumbnail } : {}),
            },
          },
        }
      : {}),
    lifecycleState: 'PUBLISHED',
    isReshareDisabledByAuthor: false,
  };
}

/**
 * LinkedIn refused the text as a duplicate and named the original (docs/networks.md, Findings
 * 4). The URN may answer 404 after a delete (composio#2710), or belong to a post of
 * another link, so it counts as this share's post only once read back with this link.
 */
async function confirmDuplicate(api: Api, share: Share, urn: string): Promise<PublishOutcome> {
  const read = await rest(api, postPath(urn), { method: 'GET', restli: 'GET' });
  const named = `LinkedIn refused the post as a duplicate of ${urn}`;
  if (!read.ok) {
    return { kind: 'unknown', message: `${named}, which could not be read (${read.detail})` };
  }
  const { answer } = read;
  if (answer.status === 404 || answer.status === 410) {
    return {
      kind: 'rejected',
      message: `${named}, which no longer exists: LinkedIn keeps refusing this text, so change it`,
    };
  }
  const post = postSchema.safeParse(answer.body);
  if (answer.status !== 200 || !post.success) {
    return { kind: 'unknown', message: `${named}; reading it back gave ${describe(answer)}` };
  }
  if (!isShare(post.data, share)) {
    return {
      kind: 'rejected',
      message: `${named}, a post of another link: LinkedIn refuses the same text twice, so change it`,
    };
  }
  return { kind: 'published', remoteId: urn, remoteUrl: linkedinPostUrl(urn) };
}

async function createOutcome(api: Api, share: Share, result: Exchange): Promise<PublishOutcome> {
  if (!result.ok) return unansweredCreate('LinkedIn', result, api.timeoutMs);
  const { answer } = result;
  if (answer.status >= 200 && answer.status <= 299) {
    const urn = decoded(answer.headers.get('x-restli-id') ?? '');
    if (!POST_URN.test(urn)) {
      return { kind: 'unknown', message: 'LinkedIn accepted the post but named no post URN' };
    }
    return { kind: 'published', remoteId: urn, remoteUrl: linkedinPostUrl(urn) };
  }
  const duplicate = duplicateOf(answer);
  if (duplicate?.urn) return confirmDuplicate(api, share, duplicate.urn);
  if (duplicate) {
    return {
      kind: 'unknown',
      message: `${describe(answer)} (an earlier attempt probably posted this text)`,
    };
  }
  const message = describe(answer);
  const refused = refusal(api, answer, message);
  if (refused) return refused;
  if (answer.status >= 500) {
    return { kind: 'unknown', message: `${message}; the post may exist` };
  }
  return { kind: 'rejected', message };
}

async function publish(call: ClientCall, options: LinkedInClientOptions): Promise<PublishOutcome> {
  const parsed = parseLinkedInCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const api = restCall(parsed.credentials, call.timeoutMs);
  const { share } = call;

  let thumbnail: string | undefined;
  if (share.card) {
    const uploaded = await uploadThumbnail(api, share.card, options);
    if (!uploaded.ok) return uploaded.outcome;
    thumbnail = uploaded.image;
  }
  if (api.deadline.aborted) {
    return {
      kind: 'retry',
      message: 'The time ran out before the post was sent; nothing was posted',
    };
  }
  const created = await rest(api, '/rest/posts', {
    method: 'POST',
    restli: 'CREATE',
    json: postBody(share, api.credentials.author, thumbnail),
  });
  return createOutcome(api, share, created);
}

/** A LinkedIn client; `options.thumbnail` is where card thumbnails will come from. */
export function createLinkedInClient(options: LinkedInClientOptions = {}): NetworkClient {
  return {
    publish: (call) => publish(call, options),
    reconcile: (call) => reconcile(call),
    withdraw: (call) => withdraw(call),
    metrics: (call) => readLinkedInMetrics(call),
    notes: { publish: publishNote, reconcile: reconcileNote },
  };
}

export const linkedinClient: NetworkClient = createLinkedInClient();
