/**
 * The publish worker's use case (docs/architecture.md, "Posting exactly once"): claim the queued
 * share with a lease, call the network once per post, record each outcome at once; an
 * unknown outcome goes straight to reconcile, never to a blind retry. A share with a
 * `thread` posts its parts as replies, one after the other (see share-thread.ts).
 *
 * By step: handle-message.ts (what the status asks), claim.ts, prepare.ts, post.ts,
 * record.ts, reconcile.ts, settle.ts (the conditional writes); types.ts.
 */
export { handlePublishMessage } from './handle-message';
export type { PublishResult, PublishShareDeps } from './types';
