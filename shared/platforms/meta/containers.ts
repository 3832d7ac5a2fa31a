/**
 * The multi-step publishing Threads and Instagram share (docs/networks.md, Threads and
 * Instagram; docs/architecture.md, "Posting exactly once"): create a media container, wait until
 * Meta reports it FINISHED, publish it, and after an unknown outcome look for the post
 * in the account's own list. Each network brings its paths, fields and matching; one
 * that takes replies (Threads) also brings a reply's container and where replies are
 * listed.
 */
import { z } from 'zod';
import type { Share } from '../../domain/share';
import type {
  ClientCall,
  NetworkClient,
  PrepareOutcome,
  PublishOutcome,
  ReconcileOutcome,
  ReplyCall,
  WithdrawCall,
  WithdrawOutcome,
} from '../client';
import type { ParsedCredentials } from './credentials';
import { classify, describeFailure, type GraphFailure, type GraphStep } from './errors';
import { type GraphApi, graphRequest, pause } from './graph';

/** Where and as whom a client calls: resolved from the channel's credentials. */
export type GraphTarget = {
  /** the versioned root, e.g. `https://graph.threads.net/v1.0` */
  base: string;
  /** the user node in paths: a numeric id, or `me` */
  user: string;
  accessToken: string;
};

export type ContainerState = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

export type ContainerStatus = { state: ContainerState; detail?: string };

/** One of the account's posts as the network lists it, in the fields matching needs. */
export type ListedPost = {
  id: string;
  permalink?: string;
  /** the text (Threads) or caption (Instagram) */
  text?: string;
  /** Threads' `link_attachment_url` */
  linkUrl?: string;
  /** Graph's `2026-04-15T14:30:00+0000` */
  timestamp?: string;
  /** a reply: whether the account itself made it (Threads' `is_reply_owned_by_me`) */
  ownedByMe?: boolean;
};

export type ContainerSpec =
  | { ok: true; params: Record<string, string | undefined> }
  | { ok: false; message: string };

export type ContainerNetwork = {
  /** the network's name in messages */
  name: string;
  target(credentials: unknown): ParsedCredentials<GraphTarget>;
  /** the container's parameters for `share`, or why it cannot have one */
  container(share: Share): ContainerSpec;
  /** the edges under the user node: `threads` / `media`, `threads_publish` / `media_publish` */
  containerEdge: string;
  publishEdge: string;
  /** the fields a status read asks for, and what the answer says */
  statusFields: string;
  readStatus(body: unknown): ContainerStatus | undefined;
  list: {
    edge: string;
    fields: string;
    /** the earliest `since` the network accepts (Unix seconds), if it takes one */
    since?: { min: number };
    read(item: unknown): ListedPost | undefined;
  };
  /** whether a listed post is this share's */
  isShare(post: ListedPost, share: Share): boolean;
  /** the account's profile: the public URL when a post's permalink cannot be read */
  profileUrl(account: string): string;
  /** a network that takes replies: the container of a thread's part, and a post's replies */
  /** whether the API deletes a published post (`DELETE /{media-id}`); neither edits one */
  deletes: boolean;
  replies?: {
    /** the container's parameters for `text` as a reply to `parentId` */
    container(share: Share, text: string, parentId: string): ContainerSpec;
    /** the edge under a post that lists the replies to it, newest first */
    edge: string;
    fields: string;
    read(item: unknown): ListedPost | undefined;
  };
};

/** The first status poll comes at once (images are usually ready), then backs off. */
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 5_000;
/** Too little time left for the publish request to be answered: do not start it. */
const MIN_PUBLISH_MS = 500;
/** The permalink is a courtesy after the post exists: never worth more than this. */
const PERMALINK_MS = 3_000;
/** A post older than the first claim (less Meta's and our clocks' skew) is not the share's. */
const CLOCK_SKEW_MS = 5 * 60_000;
const PAGE_SIZE = 25;
const MAX_PAGES = 8;

const idSchema = z.object({ id: z.string().regex(/^\d+$/) });
const permalinkSchema = z.object({ permalink: z.url().optional() });
const pageSchema = z.object({
  data: z.array(z.unknown()),
  paging: z
    .object({
      cursors: z.object({ after: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});

/** A step stopped, and nothing was posted. */
type Stopped = Extract<PrepareOutcome, { kind: 'auth' | 'rejected' | 'retry' | 'rate' }>;

type Waited = { kind: 'ready'; id: string } | { kind: 'published' } | Stopped;

type Call = {
  api: GraphApi;
  target: GraphTarget;
  timeoutMs: number;
  endsAt: number;
};

export function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').normalize('NFC').trim();
}

export function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

/** A client of a multi-step network: `prepare` is always there. */
export type ContainerClient = NetworkClient & Required<Pick<NetworkClient, 'prepare'>>;

export function createContainerClient(network: ContainerNetwork): ContainerClient {
  const { name } = network;

  function open(call: ClientCall): Call | { kind: 'invalid'; message: string } {
    const parsed = network.target(call.credentials);
    if (!parsed.ok) return { kind: 'invalid', message: parsed.message };
    const target = parsed.credentials;
    return {
      api: {
        base: target.base,
        accessToken: target.accessToken,
        signal: AbortSignal.timeout(call.timeoutMs),
      },
      target,
      timeoutMs: call.timeoutMs,
      endsAt: Date.now() + call.timeoutMs,
    };
  }

  /** Meta echoes no tokens, but a message must never carry one whatever Meta says. */
  function clean(text: string, call: Call): string {
    return text.split(call.target.accessToken).join('[token]');
  }

  function scrub<T extends { message: string }>(outcome: T, call: Call): T {
    return { ...outcome, message: clean(outcome.message, call) };
  }

  function stopped(call: Call, step: GraphStep, failure: GraphFailure): Stopped {
    const outcome = classify(name, step, failure, call.timeoutMs);
    // Nothing is posted before publish: what would be unknown there is a retry here.
    return outcome.kind === 'unknown' ? { kind: 'retry', message: outcome.message } : outcome;
  }

  async function readStatus(
    call: Call,
    id: string,
  ): Promise<{ ok: true; status: ContainerStatus } | { ok: false; failure: GraphFailure }> {
    const answer = await graphRequest(call.api, 'GET', `/${id}`, { fields: network.statusFields });
    if (!answer.ok) return answer;
    const status = network.readStatus(answer.body);
    return status
      ? { ok: true, status }
      : { ok: false, failure: { kind: 'lost', detail: 'a container status of an unknown shape' } };
  }

  /** Polls the container until FINISHED, backing off, within the call's time. */
  async function waitUntilFinished(call: Call, id: string): Promise<Waited> {
    let delay = FIRST_POLL_MS;
    for (;;) {
      const read = await readStatus(call, id);
      if (!read.ok) return stopped(call, 'status', read.failure);
      const { state, detail } = read.status;
      const said = detail ? ` (${detail})` : '';
      switch (state) {
        case 'FINISHED':
          return { kind: 'ready', id };
        case 'PUBLISHED':
          return { kind: 'published' };
        case 'ERROR':
          return {
            kind: 'rejected',
            message: `${name} could not process the media container ${id}: status ERROR${said}`,
          };
        case 'EXPIRED':
          return {
            kind: 'retry',
            message: `${name}'s media container ${id} expired unpublished${said}: a new one must be prepared`,
          };
        case 'IN_PROGRESS':
          if (Date.now() + delay + MIN_PUBLISH_MS > call.endsAt) {
            return {
              kind: 'retry',
              message: `${name}'s media container ${id} was still IN_PROGRESS when the ${call.timeoutMs} ms ran out; nothing was posted`,
            };
          }
          await pause(delay, call.api.signal);
          delay = Math.min(delay * 2, MAX_POLL_MS);
      }
    }
  }

  async function makeContainer(call: Call, spec: ContainerSpec): Promise<Waited> {
    if (!spec.ok) return { kind: 'rejected', message: spec.message };
    const created = await graphRequest(
      call.api,
      'POST',
      `/${call.target.user}/${network.containerEdge}`,
      spec.params,
    );
    if (!created.ok) return stopped(call, 'container', created.failure);
    const container = idSchema.safeParse(created.body);
    if (!container.success) {
      return { kind: 'retry', message: `${name} answered the container request without an id` };
    }
    return waitUntilFinished(call, container.data.id);
  }

  async function permalinkOf(call: Call, mediaId: string): Promise<string | undefined> {
    const answer = await graphRequest(
      {
        ...call.api,
        signal: AbortSignal.any([call.api.signal, AbortSignal.timeout(PERMALINK_MS)]),
      },
      'GET',
      `/${mediaId}`,
      { fields: 'permalink' },
    );
    if (!answer.ok) return undefined;
    const parsed = permalinkSchema.safeParse(answer.body);
    return parsed.success ? parsed.data.permalink : undefined;
  }

  async function prepare(clientCall: ClientCall): Promise<PrepareOutcome> {
    const call = open(clientCall);
    if ('kind' in call) return { kind: 'auth', message: call.message };
    const made = await makeContainer(call, network.container(clientCall.share));
    if (made.kind === 'ready') return { kind: 'prepared', preparedId: made.id };
    if (made.kind === 'published') {
      return { kind: 'retry', message: `${name} reported a new container as already published` };
    }
    return scrub(made, call);
  }

  async function publish(clientCall: ClientCall): Promise<PublishOutcome> {
    const call = open(clientCall);
    if ('kind' in call) return { kind: 'auth', message: call.message };
    const { share } = clientCall;
    // A prepared container is checked first: publishing one that is not FINISHED fails,
    // and one already PUBLISHED means an earlier attempt went through.
    const waited = share.preparedId
      ? await waitUntilFinished(call, share.preparedId)
      : await makeContainer(call, network.container(share));
    if (waited.kind === 'published') {
      return {
        kind: 'unknown',
        message: `${name}'s media container ${share.preparedId ?? ''} is already PUBLISHED: an earlier attempt posted it; reconcile`,
      };
    }
    return publishReady(call, waited, clientCall.account);
  }

  /** The last step, once the container is FINISHED: the only one that posts. */
  async function publishReady(
    call: Call,
    waited: Exclude<Waited, { kind: 'published' }>,
    account: string,
  ): Promise<PublishOutcome> {
    if (waited.kind !== 'ready') return scrub(waited, call);
    if (Date.now() + MIN_PUBLISH_MS > call.endsAt) {
      return {
        kind: 'retry',
        message: `No time left of the ${call.timeoutMs} ms to publish ${name}'s container ${waited.id}; nothing was posted`,
      };
    }

    const answer = await graphRequest(
      call.api,
      'POST',
      `/${call.target.user}/${network.publishEdge}`,
      { creation_id: waited.id },
    );
    if (!answer.ok) {
      const outcome = classify(name, 'publish', answer.failure, call.timeoutMs);
      return scrub(outcome, call);
    }
    const media = idSchema.safeParse(answer.body);
    if (!media.success) {
      return {
        kind: 'unknown',
        message: `${name} accepted ${network.publishEdge} but answered without the post's id`,
      };
    }
    const remoteId = media.data.id;
    const remoteUrl = (await permalinkOf(call, remoteId)) ?? network.profileUrl(account);
    return { kind: 'published', remoteId, remoteUrl };
  }

  type Search =
    | { kind: 'found'; post: ListedPost }
    | { kind: 'absent' }
    | { kind: 'unsure'; reason: string };

  function lookupFailure(call: Call, failure: GraphFailure): string {
    const said = describeFailure(name, failure, call.timeoutMs);
    const outcome = classify(name, 'status', failure, call.timeoutMs);
    return outcome.kind === 'rate' ? `${said}; rate-limited until ${outcome.until}` : said;
  }

  /** The account's posts since `from`, newest first, page by page. */
  async function search(call: Call, share: Share, from: number): Promise<Search> {
    const { list } = network;
    const since = list.since
      ? String(Math.max(list.since.min, Math.floor(from / 1000)))
      : undefined;
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await graphRequest(call.api, 'GET', `/${call.target.user}/${list.edge}`, {
        fields: list.fields,
        limit: String(PAGE_SIZE),
        since,
        after,
      });
      if (!answer.ok) return { kind: 'unsure', reason: lookupFailure(call, answer.failure) };
      const parsed = pageSchema.safeParse(answer.body);
      const posts = parsed.success ? parsed.data.data.map(list.read) : [];
      if (!parsed.success || posts.some((p) => p === undefined)) {
        return {
          kind: 'unsure',
          reason: `${name} answered the ${list.edge} list in an unknown shape`,
        };
      }
      let reachedOlder = false;
      for (const post of posts) {
        if (!post) continue;
        const at = post.timestamp ? Date.parse(post.timestamp) : Number.NaN;
        if (Number.isFinite(at) && at < from) {
          reachedOlder = true;
          continue;
        }
        if (network.isShare(post, share)) return { kind: 'found', post };
      }
      after = parsed.data.paging?.cursors?.after;
      if (reachedOlder || !parsed.data.paging?.next || !after) return { kind: 'absent' };
    }
    return {
      kind: 'unsure',
      reason: `More than ${PAGE_SIZE * MAX_PAGES} ${name} posts since the first claim; not all were checked`,
    };
  }

  async function reconcile(clientCall: ClientCall): Promise<ReconcileOutcome> {
    const call = open(clientCall);
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
   * A part of the thread: a reply container made and published in the same call (only
   * the first post is prepared ahead). A new container at every attempt is safe, since
   * none is published before reconcile has looked for the part.
   */
  async function publishReply(clientCall: ReplyCall): Promise<PublishOutcome> {
    const { replies } = network;
    const text = clientCall.share.thread?.[clientCall.index];
    if (!replies || text === undefined) {
      return { kind: 'rejected', message: `${name} has no part ${clientCall.index + 2} to post` };
    }
    const call = open(clientCall);
    if ('kind' in call) return { kind: 'auth', message: call.message };
    const waited = await makeContainer(
      call,
      replies.container(clientCall.share, text, clientCall.parentId),
    );
    if (waited.kind === 'published') {
      return { kind: 'retry', message: `${name} reported a new container as already published` };
    }
    return publishReady(call, waited, clientCall.account);
  }

  /**
   * Whether a part is out: among the replies to its parent, the account's own with the
   * part's text. The parent is this share's own post, so nothing older needs a look.
   */
  async function reconcileReply(clientCall: ReplyCall): Promise<ReconcileOutcome> {
    const { replies } = network;
    const text = clientCall.share.thread?.[clientCall.index];
    if (!replies || text === undefined) {
      return { kind: 'unsure', reason: `${name} has no part ${clientCall.index + 2} to look for` };
    }
    const call = open(clientCall);
    if ('kind' in call) return { kind: 'unsure', reason: call.message };
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await graphRequest(
        call.api,
        'GET',
        `/${clientCall.parentId}/${replies.edge}`,
        { fields: replies.fields, limit: String(PAGE_SIZE), after },
      );
      if (!answer.ok) {
        return { kind: 'unsure', reason: clean(lookupFailure(call, answer.failure), call) };
      }
      const parsed = pageSchema.safeParse(answer.body);
      const posts = parsed.success ? parsed.data.data.map(replies.read) : [];
      if (!parsed.success || posts.some((p) => p === undefined)) {
        return { kind: 'unsure', reason: `${name} answered the replies in an unknown shape` };
      }
      const found = posts.find(
        (post) =>
          post !== undefined &&
          post.ownedByMe !== false &&
          post.text !== undefined &&
          normalizeText(post.text) === normalizeText(text),
      );
      if (found) {
        const remoteUrl =
          found.permalink ??
          (await permalinkOf(call, found.id)) ??
          network.profileUrl(clientCall.account);
        return { kind: 'found', remoteId: found.id, remoteUrl };
      }
      after = parsed.data.paging?.cursors?.after;
      if (!parsed.data.paging?.next || !after) return { kind: 'absent' };
    }
    return {
      kind: 'unsure',
      reason: `More than ${PAGE_SIZE * MAX_PAGES} replies to ${clientCall.parentId}; not all were checked`,
    };
  }

  /**
   * Deletes the post. Graph's "does not exist" (100/33) for it means an earlier delete
   * went through, so a repeat is harmless.
   */
  async function withdraw(clientCall: WithdrawCall): Promise<WithdrawOutcome> {
    const { action } = clientCall;
    if (action !== 'delete' || !network.deletes) {
      return { kind: 'rejected', message: `${name}'s API cannot ${action} a post: do it by hand` };
    }
    const id = clientCall.share.remoteId;
    if (!id) return { kind: 'rejected', message: 'The share has no post id to delete' };
    const call = open(clientCall);
    if ('kind' in call) return { kind: 'auth', message: call.message };
    const answer = await graphRequest(call.api, 'DELETE', `/${id}`);
    if (answer.ok) return { kind: 'withdrawn' };
    const { failure } = answer;
    if (
      failure.kind === 'http' &&
      failure.error?.code === 100 &&
      failure.error.error_subcode === 33
    ) {
      return { kind: 'withdrawn', note: 'the post was already gone' };
    }
    // Nothing a delete leaves half done: what is unclear is tried again.
    const outcome = classify(name, 'status', failure, call.timeoutMs);
    const settled: WithdrawOutcome =
      outcome.kind === 'unknown' ? { kind: 'retry', message: outcome.message } : outcome;
    return 'message' in settled ? scrub(settled, call) : settled;
  }

  return {
    prepare,
    publish,
    reconcile,
    withdraw,
    ...(network.replies ? { replies: { publish: publishReply, reconcile: reconcileReply } } : {}),
  };
}
