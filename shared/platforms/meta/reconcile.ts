/**
 * Whether an earlier attempt posted on a multi-step Meta network: the account's posts
 * since the first claim (the prepared container's status checked when the list says
 * no), or, for a thread's part, the replies to its parent.
 */
import * as z from 'zod';
import type { Share } from '../../domain/share';
import type { ClientCall, NoteCall, ReconcileOutcome, ReplyCall } from '../client';
import { type Call, clean, open, permalinkOf } from './call';
import { classify, describeFailure, type GraphFailure } from './errors';
import { graphRequest } from './graph';
import { type ContainerNetwork, type ListedPost, normalizeText } from './network';
import { readStatus } from './publish';

/** A post older than the first claim (less Meta's and our clocks' skew) is not the share's. */
const CLOCK_SKEW_MS = 5 * 60_000;
const PAGE_SIZE = 25;
const MAX_PAGES = 8;

const pageSchema = z.object({
  data: z.array(z.unknown()),
  paging: z
    .object({
      cursors: z.object({ after: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});

type Search =
  | { kind: 'found'; post: ListedPost }
  | { kind: 'absent' }
  | { kind: 'unsure'; reason: string };

export function lookupFailure(call: Call, failure: GraphFailure): string {
  const { name } = call.network;
  const said = describeFailure(name, failure, call.timeoutMs);
  const outcome = classify(name, 'status', failure, call.timeoutMs);
  return outcome.kind === 'rate' ? `${said}; rate-limited until ${outcome.until}` : said;
}

export type Page =
  | { ok: true; posts: ListedPost[]; after?: string }
  | { ok: false; reason: string };

/**
 * One page of a Graph list (the account's posts, a post's replies): its posts, and the
 * cursor of the next page when there is one; or why the page cannot be used.
 */
export async function listPage(
  call: Call,
  path: string,
  params: Record<string, string | undefined>,
  read: (item: unknown) => ListedPost | undefined,
  what: string,
): Promise<Page> {
  const answer = await graphRequest(call.api, 'GET', path, params);
  if (!answer.ok) return { ok: false, reason: lookupFailure(call, answer.failure) };
  const parsed = pageSchema.safeParse(answer.body);
  const posts = parsed.success ? parsed.data.data.map(read) : [];
  if (!parsed.success || posts.some((p) => p === undefined)) {
    return { ok: false, reason: `${call.network.name} answered ${what} in an unknown shape` };
  }
  const after = parsed.data.paging?.cursors?.after;
  return {
    ok: true,
    posts: posts.filter((p) => p !== undefined),
    ...(parsed.data.paging?.next && after ? { after } : {}),
  };
}

/** Where to look for a post's answers (its replies, or its comments), and how far. */
export type Answers = {
  /** the Graph edge's path: `/{parent-id}/replies`, `/{parent-id}/comments` */
  path: string;
  fields: string;
  read: (item: unknown) => ListedPost | undefined;
  /** what the list is, in a message: `the replies` */
  what: string;
  /** what was not all looked through, in a message: `replies to {parent-id}` */
  beyond: string;
  pageSize: number;
  maxPages: number;
};

/**
 * Among a post's answers, page by page, the account's own with `text` (the same once
 * normalized): found, absent, or why it cannot tell.
 */
export async function findOwnAnswer(call: Call, answers: Answers, text: string): Promise<Search> {
  const { pageSize, maxPages } = answers;
  let after: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const listed = await listPage(
      call,
      answers.path,
      { fields: answers.fields, limit: String(pageSize), after },
      answers.read,
      answers.what,
    );
    if (!listed.ok) return { kind: 'unsure', reason: clean(listed.reason, call) };
    const found = listed.posts.find(
      (post) =>
        post.ownedByMe !== false &&
        post.text !== undefined &&
        normalizeText(post.text) === normalizeText(text),
    );
    if (found) return { kind: 'found', post: found };
    if (!listed.after) return { kind: 'absent' };
    after = listed.after;
  }
  return {
    kind: 'unsure',
    reason: `More than ${pageSize * maxPages} ${answers.beyond}; not all were checked`,
  };
}

/** The account's posts since `from`, newest first, page by page. */
async function search(call: Call, share: Share, from: number): Promise<Search> {
  const { network } = call;
  const { name } = network;
  const { list } = network;
  const since = list.since ? String(Math.max(list.since.min, Math.floor(from / 1000))) : undefined;
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const listed = await listPage(
      call,
      `/${call.target.user}/${list.edge}`,
      { fields: list.fields, limit: String(PAGE_SIZE), since, after },
      list.read,
      `the ${list.edge} list`,
    );
    if (!listed.ok) return { kind: 'unsure', reason: listed.reason };
    let reachedOlder = false;
    for (const post of listed.posts) {
      const at = post.timestamp ? Date.parse(post.timestamp) : Number.NaN;
      if (Number.isFinite(at) && at < from) {
        reachedOlder = true;
        continue;
      }
      if (network.isShare(post, share)) return { kind: 'found', post };
    }
    if (reachedOlder || !listed.after) return { kind: 'absent' };
    after = listed.after;
  }
  return {
    kind: 'unsure',
    reason: `More than ${PAGE_SIZE * MAX_PAGES} ${name} posts since the first claim; not all were checked`,
  };
}

export async function reconcile(
  network: ContainerNetwork,
  clientCall: ClientCall,
): Promise<ReconcileOutcome> {
  const { name } = network;
  const call = open(network, clientCall);
  if ('kind' in call) return { kind: 'unsure', reason: call.message };
  const { share } = clientCall;
  // Any post of this share was made after the share existed and, normally, was claimed.
  const claimed = Date.parse(share.firstClaimedAt ?? share.createdAt);
  if (Number.isNaN(claimed)) {
    return { kind: 'unsure', reason: 'The share has no claim time to look from' };
  }
  const found = await search(call, share, claimed - CLOCK_SKEW_MS);
  if (found.kind === 'found') {
    const { post } = found;
    const remoteUrl =
      post.permalink ??
      (await permalinkOf(call, post.id)) ??
      network.profileUrl(clientCall.account);
    return { kind: 'found', remoteId: post.id, remoteUrl };
  }
  if (found.kind === 'unsure') return { kind: 'unsure', reason: clean(found.reason, call) };
  if (!share.preparedId) return { kind: 'absent' };
  // The list says no; the container must not say otherwise (a list may lag behind).
  const read = await readStatus(call, share.preparedId);
  if (!read.ok) {
    const said = describeFailure(name, read.failure, call.timeoutMs);
    return {
      kind: 'unsure',
      reason: clean(
        `Not in the ${network.list.edge} list, but the container's status could not be read: ${said}`,
        call,
      ),
    };
  }
  if (read.status.state === 'PUBLISHED') {
    return {
      kind: 'unsure',
      reason: `${name}'s container ${share.preparedId} is PUBLISHED, but the post is not in the ${network.list.edge} list yet`,
    };
  }
  return { kind: 'absent' };
}

/**
 * Whether a reply is out: among the replies to its parent, the account's own with the
 * reply's text. The parent is this share's own post, so nothing older needs a look.
 */
async function reconcileAnswer(
  network: ContainerNetwork,
  clientCall: ClientCall,
  text: string,
  parentId: string,
): Promise<ReconcileOutcome> {
  const { name, replies } = network;
  if (!replies) return { kind: 'unsure', reason: `${name} takes no replies from Crier` };
  const call = open(network, clientCall);
  if ('kind' in call) return { kind: 'unsure', reason: call.message };
  const found = await findOwnAnswer(
    call,
    {
      path: `/${parentId}/${replies.edge}`,
      fields: replies.fields,
      read: replies.read,
      what: 'the replies',
      beyond: `replies to ${parentId}`,
      pageSize: PAGE_SIZE,
      maxPages: MAX_PAGES,
    },
    text,
  );
  if (found.kind !== 'found') return found;
  const { post } = found;
  const remoteUrl =
    post.permalink ?? (await permalinkOf(call, post.id)) ?? network.profileUrl(clientCall.account);
  return { kind: 'found', remoteId: post.id, remoteUrl };
}

export function reconcileReply(
  network: ContainerNetwork,
  clientCall: ReplyCall,
): Promise<ReconcileOutcome> {
  const text = clientCall.share.thread?.[clientCall.index];
  if (text === undefined) {
    return Promise.resolve({
      kind: 'unsure',
      reason: `${network.name} has no part ${clientCall.index + 2} to look for`,
    });
  }
  return reconcileAnswer(network, clientCall, text, clientCall.parentId);
}

/** A correction note: among the parent's replies, the account's own with the note's text. */
export function reconcileNote(
  network: ContainerNetwork,
  clientCall: NoteCall,
): Promise<ReconcileOutcome> {
  return reconcileAnswer(network, clientCall, clientCall.text, clientCall.parentId);
}
