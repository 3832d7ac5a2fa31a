/**
 * A correction note as a comment, where a network's replies are comments (Instagram:
 * `POST /{ig-media-id}/comments` with `message`). Comments take no idempotency key, so
 * after an unknown outcome the post's comments are read for the account's own with the
 * note's text (docs/networks.md, Correction notes).
 */
import * as z from 'zod';
import type { NoteCall, PublishOutcome, ReconcileOutcome } from '../client';
import { type Call, open, permalinkOf, scrub } from './call';
import { classify } from './errors';
import { graphRequest } from './graph';
import type { ContainerNetwork, ListedPost } from './network';
import { findOwnAnswer } from './reconcile';

const PAGE_SIZE = 50;
const MAX_PAGES = 6;

const idSchema = z.object({ id: z.string().regex(/^\d+$/) });
const commentSchema = z.object({
  id: z.string().regex(/^\d+$/),
  text: z.string().optional(),
  timestamp: z.string().optional(),
  from: z.object({ id: z.string().optional(), username: z.string().optional() }).optional(),
});

/** `https://www.instagram.com/p/{code}/c/{comment-id}/` once the post's permalink is known. */
async function commentUrl(
  call: Call,
  network: ContainerNetwork,
  parentId: string,
  commentId: string,
  account: string,
): Promise<string> {
  const post = await permalinkOf(call, parentId);
  return post ? `${post.replace(/\/?$/, '/')}c/${commentId}/` : network.profileUrl(account);
}

export async function publishComment(
  network: ContainerNetwork,
  clientCall: NoteCall,
): Promise<PublishOutcome> {
  const { name } = network;
  if (!clientCall.text.trim()) return { kind: 'rejected', message: 'The note has no text' };
  const call = open(network, clientCall);
  if ('kind' in call) return { kind: 'auth', message: call.message };
  const answer = await graphRequest(call.api, 'POST', `/${clientCall.parentId}/comments`, {
    message: clientCall.text,
  });
  if (!answer.ok) return scrub(classify(name, 'publish', answer.failure, call.timeoutMs), call);
  const created = idSchema.safeParse(answer.body);
  if (!created.success) {
    return { kind: 'unknown', message: `${name} accepted the comment but answered without its id` };
  }
  const remoteId = created.data.id;
  const remoteUrl = await commentUrl(
    call,
    network,
    clientCall.parentId,
    remoteId,
    clientCall.account,
  );
  return { kind: 'published', remoteId, remoteUrl };
}

export async function reconcileComment(
  network: ContainerNetwork,
  clientCall: NoteCall,
): Promise<ReconcileOutcome> {
  const call = open(network, clientCall);
  if ('kind' in call) return { kind: 'unsure', reason: call.message };
  const user = call.target.user;
  const handle = clientCall.account.trim().replace(/^@/, '');
  const read = (item: unknown): ListedPost | undefined => {
    const parsed = commentSchema.safeParse(item);
    if (!parsed.success) return undefined;
    const { id, text, timestamp, from } = parsed.data;
    // Without `from` (a token that may not see it) the text alone has to do.
    const ownedByMe = from ? from.id === user || from.username === handle : undefined;
    return { id, text, timestamp, ...(ownedByMe === undefined ? {} : { ownedByMe }) };
  };
  const found = await findOwnAnswer(
    call,
    {
      path: `/${clientCall.parentId}/comments`,
      fields: 'id,text,timestamp,from',
      read,
      what: 'the comments',
      beyond: `comments on ${clientCall.parentId}`,
      pageSize: PAGE_SIZE,
      maxPages: MAX_PAGES,
    },
    clientCall.text,
  );
  if (found.kind !== 'found') return found;
  const remoteId = found.post.id;
  const remoteUrl = await commentUrl(
    call,
    network,
    clientCall.parentId,
    remoteId,
    clientCall.account,
  );
  return { kind: 'found', remoteId, remoteUrl };
}
