/**
 * Whether an earlier attempt posted a status: within the Idempotency-Key's hour a resend
 * under the same key answers the original; after it, the account's statuses since the
 * first claim (or the parent's replies, for a part of a thread) are searched.
 */
import { decodeHTML } from 'entities';
import * as z from 'zod';
import type { Share } from '../../domain/share';
import type { ClientCall, NoteCall, ReconcileOutcome, ReplyCall } from '../client';
import { settleBefore } from '../transport';
import {
  type Api,
  asNote,
  asReply,
  asStatus,
  createStatus,
  open,
  published,
  type Status,
  type StatusRequest,
  statusSchema,
} from './api';
import { failure } from './errors';

/** Mastodon keeps an Idempotency-Key for 3,600 s from the status's creation. */
const IDEMPOTENCY_WINDOW_MS = 3_600_000;
/**
 * A resend is safe only while every status the share could have made is still under
 * its key. Each was made after the first claim, so the key lives at least until
 * firstClaimedAt + 1 h; the margin covers clock skew between Crier and the instance.
 */
const RESEND_MARGIN_MS = 5 * 60_000;
/** statuses older than the first claim (minus skew) cannot be this share's */
const CLOCK_SKEW_MS = 5 * 60_000;
/** 40 is the most `accounts/:id/statuses` gives per page */
const PAGE_SIZE = 40;
const MAX_PAGES = 5;

/** The status's plain text: paragraphs and line breaks kept, tags dropped, entities decoded. */
function contentText(html: string): string {
  return decodeHTML(
    html
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/p>\s*<p(?:\s[^>]*)?>/gi, '\n\n')
      .replace(/<[^>]*>/g, ''),
  );
}

function contentLinks(html: string): string[] {
  return Array.from(html.matchAll(/<a\s[^>]*?href="([^"]*)"/gi), (m) => decodeHTML(m[1] ?? ''));
}

const folded = (text: string) => text.replace(/\s+/gu, ' ').trim();

function isThisShare(status: Status, share: Share): boolean {
  return (
    status.card?.url === share.url ||
    contentLinks(status.content).includes(share.url) ||
    folded(contentText(status.content)) === folded(share.text)
  );
}

/** The account the token acts as; a ZodError when the answer has no id. */
async function ownAccount(api: Api): Promise<{ id: string }> {
  return z.object({ id: z.string().min(1) }).parse(
    await api.client.v1.accounts.verifyCredentials(undefined, {
      requestInit: { signal: api.signal },
    }),
  );
}

/** After the idempotency window: look through the account's statuses since the first claim. */
async function searchStatuses(
  api: Api,
  share: Share,
  timeoutMs: number,
): Promise<ReconcileOutcome> {
  const claimed = share.firstClaimedAt ? Date.parse(share.firstClaimedAt) : Number.NaN;
  const since = Number.isFinite(claimed) ? claimed - CLOCK_SKEW_MS : undefined;
  try {
    const me = await ownAccount(api);
    const pages = api.client.v1.accounts
      .$select(me.id)
      .statuses.list({ limit: PAGE_SIZE, excludeReplies: true, excludeReblogs: true })
      [Symbol.asyncIterator]();
    for (let page = 0; page < MAX_PAGES; page++) {
      // masto's paginator ignores per-request signals: stop waiting at the deadline.
      const next = await settleBefore(pages.next(), api.signal, () => api.signal.reason);
      if (next.done) return { kind: 'absent' };
      const statuses = z.array(statusSchema).parse(next.value);
      const match = statuses.find(
        (status) =>
          (since === undefined || Date.parse(status.createdAt) >= since) &&
          isThisShare(status, share),
      );
      if (match) return { kind: 'found', remoteId: match.id, remoteUrl: match.url ?? match.uri };
      if (since === undefined) {
        return {
          kind: 'unsure',
          reason:
            'not among the newest statuses, and the share has no firstClaimedAt to search back to',
        };
      }
      const oldest = statuses[statuses.length - 1];
      if (!oldest || statuses.length < PAGE_SIZE || Date.parse(oldest.createdAt) < since) {
        return { kind: 'absent' };
      }
    }
    return {
      kind: 'unsure',
      reason: `not among the newest ${PAGE_SIZE * MAX_PAGES} statuses, which do not reach back to the first claim`,
    };
  } catch (error) {
    if (error instanceof z.ZodError) {
      return { kind: 'unsure', reason: 'Mastodon answered statuses in an unexpected shape' };
    }
    return { kind: 'unsure', reason: failure(error, api.signal, timeoutMs).message };
  }
}

/** Within the idempotency window: send the same key again; Mastodon answers the original if there is one. */
async function resend(
  api: Api,
  request: StatusRequest,
  timeoutMs: number,
): Promise<ReconcileOutcome> {
  let data: unknown;
  try {
    data = await createStatus(api, request);
  } catch (error) {
    const f = failure(error, api.signal, timeoutMs);
    // PostStatusService answers a key that names a status before it validates, so its
    // validation error means no status holds the key. Other 4xx come from before the
    // service (auth, a disabled login) and say nothing either way.
    if (f.kind === 'http' && f.status === 422 && /^Validation failed/.test(f.error)) {
      return { kind: 'absent' };
    }
    const until = f.kind === 'http' && f.retryAt ? ` until ${f.retryAt}` : '';
    return {
      kind: 'unsure',
      reason: `resending with the same Idempotency-Key failed: ${f.message}${until}`,
    };
  }
  const outcome = published(data);
  return outcome.kind === 'published'
    ? { kind: 'found', remoteId: outcome.remoteId, remoteUrl: outcome.remoteUrl }
    : { kind: 'unsure', reason: 'the resend was answered without a status id' };
}

/** Whether a resend with the same key is still safe: every status of the share is under its key. */
function withinWindow(share: Share): boolean {
  const claimed = share.firstClaimedAt ? Date.parse(share.firstClaimedAt) : Number.NaN;
  return (
    Number.isFinite(claimed) && Date.now() < claimed + IDEMPOTENCY_WINDOW_MS - RESEND_MARGIN_MS
  );
}

/**
 * After the idempotency window: the parent's replies (its context's descendants) by this
 * account. Only the parts of this share answer the parent from this account, so one such
 * reply is the part; the text decides between several.
 */
async function searchReplies(
  api: Api,
  request: StatusRequest & { inReplyToId: string },
  timeoutMs: number,
  byTextOnly = false,
): Promise<ReconcileOutcome> {
  try {
    const me = await ownAccount(api);
    const context = z
      .object({ descendants: z.array(statusSchema) })
      .parse(
        await api.client.v1.statuses
          .$select(request.inReplyToId)
          .context.fetch(undefined, { requestInit: { signal: api.signal } }),
      );
    const own = context.descendants.filter(
      (status) => status.inReplyToId === request.inReplyToId && status.account?.id === me.id,
    );
    const match =
      own.find((status) => folded(contentText(status.content)) === folded(request.text)) ??
      (own.length === 1 && !byTextOnly ? own[0] : undefined);
    if (match) return { kind: 'found', remoteId: match.id, remoteUrl: match.url ?? match.uri };
    if (own.length > 1 && !byTextOnly) {
      return {
        kind: 'unsure',
        reason: `${own.length} replies of this account answer ${request.inReplyToId}, none with the part's text`,
      };
    }
    return { kind: 'absent' };
  } catch (error) {
    if (error instanceof z.ZodError) {
      return { kind: 'unsure', reason: 'Mastodon answered the context in an unexpected shape' };
    }
    return { kind: 'unsure', reason: failure(error, api.signal, timeoutMs).message };
  }
}

/** The share's own status: by a resend within the window, else by a search. */
export async function reconcile(call: ClientCall): Promise<ReconcileOutcome> {
  const api = open(call);
  if ('kind' in api) return { kind: 'unsure', reason: api.message };
  return withinWindow(call.share)
    ? resend(api, asStatus(call.share), call.timeoutMs)
    : searchStatuses(api, call.share, call.timeoutMs);
}

/** A part of the thread: by a resend under its own key, else among the parent's replies. */
export async function reconcileReply(call: ReplyCall): Promise<ReconcileOutcome> {
  const request = asReply(call);
  if (!request) return { kind: 'unsure', reason: `The share has no part ${call.index + 2}` };
  const api = open(call);
  if ('kind' in api) return { kind: 'unsure', reason: api.message };
  return withinWindow(call.share)
    ? resend(api, request, call.timeoutMs)
    : searchReplies(api, { ...request, inReplyToId: call.parentId }, call.timeoutMs);
}

/**
 * A correction note: among the parent's replies, the account's own with the note's text.
 * The parent's context lists every reply at once, whatever its age, so the answer is
 * certain without a resend; only the text tells the note from an earlier one.
 */
export async function reconcileNote(call: NoteCall): Promise<ReconcileOutcome> {
  const api = open(call);
  if ('kind' in api) return { kind: 'unsure', reason: api.message };
  return searchReplies(api, { ...asNote(call), inReplyToId: call.parentId }, call.timeoutMs, true);
}
