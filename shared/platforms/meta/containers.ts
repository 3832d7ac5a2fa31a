/**
 * The multi-step publishing Threads and Instagram share (docs/networks.md, Threads and
 * Instagram; docs/architecture.md, "Posting exactly once"): create a media container, wait until
 * Meta reports it FINISHED, publish it, and after an unknown outcome look for the post
 * in the account's own list. Each network brings its paths, fields and matching
 * (network.ts); one that takes replies (Threads) also brings a reply's container and where
 * replies are listed. The steps that post are in publish.ts, the lookups in reconcile.ts;
 * the delete is here, and the counts' read, whose network part is the network's own.
 */
import type { MetricsCall, MetricsOutcome, WithdrawCall, WithdrawOutcome } from '../client';
import { open, scrub } from './call';
import { classify } from './errors';
import { graphRequest } from './graph';
import type { ContainerClient, ContainerNetwork } from './network';
import { prepare, publish, publishNote, publishReply } from './publish';
import { reconcile, reconcileNote, reconcileReply } from './reconcile';

export type {
  ContainerClient,
  ContainerNetwork,
  ContainerSpec,
  ContainerState,
  ContainerStatus,
  GraphTarget,
  ListedPost,
} from './network';
export { normalizeText, sameUrl } from './network';

/**
 * Deletes the post. Graph's "does not exist" (100/33) for it means an earlier delete
 * went through, so a repeat is harmless.
 */
async function withdraw(
  network: ContainerNetwork,
  clientCall: WithdrawCall,
): Promise<WithdrawOutcome> {
  const { name } = network;
  const { action } = clientCall;
  if (action !== 'delete' || !network.deletes) {
    return { kind: 'rejected', message: `${name}'s API cannot ${action} a post: do it by hand` };
  }
  const id = clientCall.share.remoteId;
  if (!id) return { kind: 'rejected', message: 'The share has no post id to delete' };
  const call = open(network, clientCall);
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

/** The published post's counts, as the network reads them; messages never carry the token. */
async function metrics(
  network: ContainerNetwork,
  read: NonNullable<ContainerNetwork['metrics']>,
  clientCall: MetricsCall,
): Promise<MetricsOutcome> {
  const id = clientCall.share.remoteId;
  if (!id) return { kind: 'rejected', message: 'The share has no post id to read counts of' };
  const call = open(network, clientCall);
  if ('kind' in call) return { kind: 'auth', message: call.message };
  const outcome = await read(call, id);
  return 'message' in outcome ? scrub(outcome, call) : outcome;
}

export function createContainerClient(network: ContainerNetwork): ContainerClient {
  const read = network.metrics;
  return {
    prepare: (call) => prepare(network, call),
    publish: (call) => publish(network, call),
    reconcile: (call) => reconcile(network, call),
    withdraw: (call) => withdraw(network, call),
    ...(read ? { metrics: (call: MetricsCall) => metrics(network, read, call) } : {}),
    ...(network.replies
      ? {
          replies: {
            publish: (call) => publishReply(network, call),
            reconcile: (call) => reconcileReply(network, call),
          },
          notes: {
            publish: (call) => publishNote(network, call),
            reconcile: (call) => reconcileNote(network, call),
          },
        }
      : {}),
  };
}
