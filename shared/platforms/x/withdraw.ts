/** Deletes a withdrawn article's X post by its id. */
import * as z from 'zod';
import type { WithdrawCall, WithdrawOutcome } from '../client';
import { apiFor, within } from './api';
import { parseXCredentials } from './credentials';
import { deleteFailure } from './errors';

const deletedSchema = z.object({ data: z.object({ deleted: z.boolean() }) });

/** Deletes the post; Crier does not edit on X (docs/networks.md: an edit is a new post id). */
export async function withdraw(call: WithdrawCall): Promise<WithdrawOutcome> {
  if (call.action !== 'delete') {
    return { kind: 'rejected', message: 'Crier does not edit posts on X: edit it by hand' };
  }
  const id = call.share.remoteId;
  if (!id) return { kind: 'rejected', message: 'The share has no remote id to delete' };
  const parsed = parseXCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const api = apiFor(parsed.credentials, deadline);
  try {
    const answer = deletedSchema.safeParse(await within(api.v2.deleteTweet(id), deadline));
    if (!answer.success)
      return { kind: 'retry', message: 'X answered the delete in an unknown shape' };
    // X answers `deleted: false` for a post it no longer has.
    return answer.data.data.deleted
      ? { kind: 'withdrawn' }
      : { kind: 'withdrawn', note: 'the post was already gone' };
  } catch (error) {
    return deleteFailure(error, call.timeoutMs);
  }
}
