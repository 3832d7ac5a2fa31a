/** Deletes a withdrawn article's LinkedIn post, or edits its commentary into the notice. */
import type { WithdrawCall, WithdrawOutcome } from '../client';
import { restCall } from '../rest/http';
import { POST_URN, postPath, rest } from './api';
import { parseLinkedInCredentials } from './credentials';
import { withdrawOutcome } from './errors';
import { toLittleText } from './rules';

/** Deletes the post, or sets its commentary (the one field an edit may change here). */
export async function withdraw(call: WithdrawCall): Promise<WithdrawOutcome> {
  const urn = call.share.remoteId;
  if (!urn || !POST_URN.test(urn)) {
    return { kind: 'rejected', message: 'The share has no LinkedIn post URN to withdraw' };
  }
  const parsed = parseLinkedInCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const api = restCall(parsed.credentials, call.timeoutMs);
  const result =
    call.action === 'delete'
      ? await rest(api, postPath(urn), { method: 'DELETE', restli: 'DELETE' })
      : await rest(api, postPath(urn), {
          method: 'POST',
          restli: 'PARTIAL_UPDATE',
          json: { patch: { $set: { commentary: toLittleText(call.text) } } },
        });
  return withdrawOutcome(api, result, call.action);
}
