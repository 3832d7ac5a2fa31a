/**
 * After an unknown outcome: the author's posts, newest change first, back to the first
 * claim, looked through for the article's link.
 */
import * as z from 'zod';
import type { Share } from '../../domain/share';
import type { ClientCall, ReconcileOutcome } from '../client';
import { restCall } from '../rest/http';
import { sameLink } from '../rest/link';
import { linkedinPostUrl, type Post, postSchema, rest } from './api';
import { parseLinkedInCredentials } from './credentials';
import { lookupProblem } from './errors';
import { toLittleText } from './rules';

/** LinkedIn's clock is not ours: a post this much before the claim may still be the share's. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** The posts finder's largest page, and how many pages one reconcile reads at most. */
const PAGE_SIZE = 100;
const MAX_PAGES = 5;

const finderSchema = z.object({ elements: z.array(postSchema) });

export function isShare(post: Post, share: Share): boolean {
  // A post with no link (a desk post without one) is known by its text.
  if (!share.url) return post.commentary === toLittleText(share.text);
  const source = post.content?.article?.source;
  return source !== undefined && sameLink(source, share.url);
}

/** Looks through the author's posts, newest change first, back to the first claim. */
export async function reconcile(call: ClientCall): Promise<ReconcileOutcome> {
  const parsed = parseLinkedInCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'unsure', reason: parsed.message };
  const from = Date.parse(call.share.firstClaimedAt ?? call.share.createdAt);
  if (Number.isNaN(from)) {
    return { kind: 'unsure', reason: 'The share has no claim time to look from' };
  }
  const since = from - CLOCK_SKEW_MS;
  const api = restCall(parsed.credentials, call.timeoutMs);
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await rest(api, '/rest/posts', {
      method: 'GET',
      restli: 'FINDER',
      query: {
        author: api.credentials.author,
        q: 'author',
        count: String(PAGE_SIZE),
        start: String(page * PAGE_SIZE),
        sortBy: 'LAST_MODIFIED',
      },
    });
    if (!result.ok || result.answer.status !== 200) {
      return { kind: 'unsure', reason: lookupProblem(api, result) };
    }
    const found = finderSchema.safeParse(result.answer.body);
    if (!found.success) {
      return { kind: 'unsure', reason: 'LinkedIn answered the posts lookup in an unknown shape' };
    }
    const posts = found.data.elements;
    const match = posts.find(
      (post) => isShare(post, call.share) && (post.createdAt ?? Number.POSITIVE_INFINITY) >= since,
    );
    if (match) {
      return { kind: 'found', remoteId: match.id, remoteUrl: linkedinPostUrl(match.id) };
    }
    // Newest change first: once a page reaches back past the claim, nothing older is the share's.
    const oldest = posts.at(-1)?.lastModifiedAt;
    if (posts.length < PAGE_SIZE || (oldest !== undefined && oldest < since)) {
      return { kind: 'absent' };
    }
  }
  return {
    kind: 'unsure',
    reason: `More than ${PAGE_SIZE * MAX_PAGES} posts changed since the claim; not all were checked`,
  };
}
