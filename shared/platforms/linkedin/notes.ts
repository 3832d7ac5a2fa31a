/**
 * A correction note on LinkedIn: a comment on the post, made as the post's author (the
 * organization or the member), through the social actions API
 * (`POST /rest/socialActions/{post-urn}/comments`). Comments take no key and LinkedIn does
 * not refuse a repeated one, so after an unknown outcome the post's comments are read for
 * the author's own with the note's text (docs/networks.md, Correction notes).
 */
import * as z from 'zod';
import type { NoteCall, PublishOutcome, ReconcileOutcome } from '../client';
import { restCall, unansweredCreate } from '../rest/http';
import { type Api, decoded, linkedinPostUrl, POST_URN, rest } from './api';
import { parseLinkedInCredentials } from './credentials';
import { describe, lookupProblem, refusal } from './errors';

/** The comments finder's page, and how many pages one reconcile reads at most. */
const PAGE_SIZE = 100;
const MAX_PAGES = 5;

const commentSchema = z.object({
  id: z.string().optional(),
  commentUrn: z.string().optional(),
  actor: z.string().optional(),
  message: z.object({ text: z.string() }).optional(),
});
type Comment = z.output<typeof commentSchema>;
const listSchema = z.object({
  elements: z.array(commentSchema),
  paging: z.object({ total: z.number().optional() }).optional(),
});

function commentsPath(parentUrn: string): string {
  return `/rest/socialActions/${encodeURIComponent(parentUrn)}/comments`;
}

/** The comment's URN (`urn:li:comment:(…,id)`), else its id. */
function commentId(comment: Comment): string | undefined {
  return comment.commentUrn ?? comment.id;
}

/** The post's page, opened at the comment. */
export function linkedinCommentUrl(parentUrn: string, comment: string): string {
  const base = linkedinPostUrl(parentUrn);
  return comment.startsWith('urn:li:comment:')
    ? `${base}?commentUrn=${encodeURIComponent(comment)}`
    : base;
}

const folded = (text: string) => text.normalize('NFC').replace(/\s+/gu, ' ').trim();

export async function publishNote(call: NoteCall): Promise<PublishOutcome> {
  if (!call.text.trim()) return { kind: 'rejected', message: 'The note has no text' };
  if (!POST_URN.test(call.parentId)) {
    return { kind: 'rejected', message: `${call.parentId} is not a LinkedIn post URN` };
  }
  const parsed = parseLinkedInCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const api: Api = restCall(parsed.credentials, call.timeoutMs);
  const result = await rest(api, commentsPath(call.parentId), {
    method: 'POST',
    restli: 'CREATE',
    json: {
      actor: api.credentials.author,
      object: call.parentId,
      message: { text: call.text },
    },
  });
  if (!result.ok) return unansweredCreate('LinkedIn', result, api.timeoutMs);
  const { answer } = result;
  if (answer.status >= 200 && answer.status <= 299) {
    const body = commentSchema.safeParse(answer.body);
    const id =
      (body.success ? commentId(body.data) : undefined) ??
      decoded(answer.headers.get('x-restli-id') ?? '');
    if (!id) {
      return { kind: 'unknown', message: 'LinkedIn accepted the comment but named no comment' };
    }
    return { kind: 'published', remoteId: id, remoteUrl: linkedinCommentUrl(call.parentId, id) };
  }
  const message = describe(answer);
  const refused = refusal(api, answer, message);
  if (refused) return refused;
  if (answer.status >= 500)
    return { kind: 'unknown', message: `${message}; the comment may exist` };
  return { kind: 'rejected', message };
}

/** The post's comments, page by page: the author's own with the note's text. */
export async function reconcileNote(call: NoteCall): Promise<ReconcileOutcome> {
  const parsed = parseLinkedInCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'unsure', reason: parsed.message };
  const api: Api = restCall(parsed.credentials, call.timeoutMs);
  const { author } = api.credentials;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await rest(api, commentsPath(call.parentId), {
      method: 'GET',
      query: { start: String(page * PAGE_SIZE), count: String(PAGE_SIZE) },
    });
    if (!result.ok || result.answer.status !== 200) {
      return {
        kind: 'unsure',
        reason: lookupProblem(api, result).replace('posts lookup', 'comments lookup'),
      };
    }
    const listed = listSchema.safeParse(result.answer.body);
    if (!listed.success) {
      return { kind: 'unsure', reason: 'LinkedIn answered the comments in an unknown shape' };
    }
    const comments = listed.data.elements;
    const match = comments.find(
      (comment) =>
        comment.actor === author &&
        comment.message !== undefined &&
        folded(comment.message.text) === folded(call.text),
    );
    const id = match && commentId(match);
    if (id)
      return { kind: 'found', remoteId: id, remoteUrl: linkedinCommentUrl(call.parentId, id) };
    if (comments.length < PAGE_SIZE) return { kind: 'absent' };
  }
  return {
    kind: 'unsure',
    reason: `More than ${PAGE_SIZE * MAX_PAGES} comments on ${call.parentId}; not all were checked`,
  };
}
