/**
 * The steps that post on a multi-step Meta network: make a media container, poll it until
 * FINISHED, then publish it, the only step that posts. A share's container may be made
 * ahead (prepare); a thread's part makes and publishes its own in one call.
 */
import * as z from 'zod';
import type { ClientCall, NoteCall, PrepareOutcome, PublishOutcome, ReplyCall } from '../client';
import { type Call, open, permalinkOf, scrub } from './call';
import { classify, type GraphFailure, type GraphStep } from './errors';
import { graphRequest, pause } from './graph';
import type { ContainerNetwork, ContainerSpec, ContainerStatus } from './network';

/** The first status poll comes at once (images are usually ready), then backs off. */
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 5_000;
/** Too little time left for the publish request to be answered: do not start it. */
const MIN_PUBLISH_MS = 500;

const idSchema = z.object({ id: z.string().regex(/^\d+$/) });

/** A step stopped, and nothing was posted. */
type Stopped = Extract<PrepareOutcome, { kind: 'auth' | 'rejected' | 'retry' | 'rate' }>;

type Waited = { kind: 'ready'; id: string } | { kind: 'published' } | Stopped;

function stopped(call: Call, step: GraphStep, failure: GraphFailure): Stopped {
  const { name } = call.network;
  const outcome = classify(name, step, failure, call.timeoutMs);
  // Nothing is posted before publish: what would be unknown there is a retry here.
  return outcome.kind === 'unknown' ? { kind: 'retry', message: outcome.message } : outcome;
}

export async function readStatus(
  call: Call,
  id: string,
): Promise<{ ok: true; status: ContainerStatus } | { ok: false; failure: GraphFailure }> {
  const { network } = call;
  const answer = await graphRequest(call.api, 'GET', `/${id}`, { fields: network.statusFields });
  if (!answer.ok) return answer;
  const status = network.readStatus(answer.body);
  return status
    ? { ok: true, status }
    : { ok: false, failure: { kind: 'lost', detail: 'a container status of an unknown shape' } };
}

/** Polls the container until FINISHED, backing off, within the call's time. */
async function waitUntilFinished(call: Call, id: string): Promise<Waited> {
  const { name } = call.network;
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
  const { network } = call;
  const { name } = network;
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

export async function prepare(
  network: ContainerNetwork,
  clientCall: ClientCall,
): Promise<PrepareOutcome> {
  const { name } = network;
  const call = open(network, clientCall);
  if ('kind' in call) return { kind: 'auth', message: call.message };
  const made = await makeContainer(call, network.container(clientCall.share));
  if (made.kind === 'ready') return { kind: 'prepared', preparedId: made.id };
  if (made.kind === 'published') {
    return { kind: 'retry', message: `${name} reported a new container as already published` };
  }
  return scrub(made, call);
}

export async function publish(
  network: ContainerNetwork,
  clientCall: ClientCall,
): Promise<PublishOutcome> {
  const { name } = network;
  const call = open(network, clientCall);
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
  const { network } = call;
  const { name } = network;
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

/**
 * A reply (a part of the thread, or a correction note): its container made and published
 * in the same call (only the first post is prepared ahead). A new container at every
 * attempt is safe, since none is published before reconcile has looked for the reply.
 */
async function publishAnswer(
  network: ContainerNetwork,
  clientCall: ClientCall,
  text: string,
  parentId: string,
): Promise<PublishOutcome> {
  const { name, replies } = network;
  if (!replies) return { kind: 'rejected', message: `${name} takes no replies from Crier` };
  const call = open(network, clientCall);
  if ('kind' in call) return { kind: 'auth', message: call.message };
  const waited = await makeContainer(call, replies.container(clientCall.share, text, parentId));
  if (waited.kind === 'published') {
    return { kind: 'retry', message: `${name} reported a new container as already published` };
  }
  return publishReady(call, waited, clientCall.account);
}

export function publishReply(
  network: ContainerNetwork,
  clientCall: ReplyCall,
): Promise<PublishOutcome> {
  const text = clientCall.share.thread?.[clientCall.index];
  if (text === undefined) {
    return Promise.resolve({
      kind: 'rejected',
      message: `${network.name} has no part ${clientCall.index + 2} to post`,
    });
  }
  return publishAnswer(network, clientCall, text, clientCall.parentId);
}

/** A correction note: a reply to the post, made the way a part of the thread is. */
export function publishNote(
  network: ContainerNetwork,
  clientCall: NoteCall,
): Promise<PublishOutcome> {
  if (!clientCall.text.trim()) {
    return Promise.resolve({ kind: 'rejected', message: 'The note has no text' });
  }
  return publishAnswer(network, clientCall, clientCall.text, clientCall.parentId);
}
