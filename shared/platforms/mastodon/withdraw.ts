/** Deletes a withdrawn article's status, or edits it into the withdrawal notice. */
import type { WithdrawCall, WithdrawOutcome } from '../client';
import { restClient } from './api';
import { parseMastodonCredentials } from './credentials';
import { failure, withdrawFailure } from './errors';
import { mastodonLanguage } from './rules';

export async function withdraw(call: WithdrawCall): Promise<WithdrawOutcome> {
  const id = call.share.remoteId;
  if (!id) return { kind: 'rejected', message: 'The share has no status id to withdraw' };
  const parsed = parseMastodonCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const client = restClient(parsed.credentials, call.timeoutMs);
  const signal = AbortSignal.timeout(call.timeoutMs);
  const status = client.v1.statuses.$select(id);
  try {
    if (call.action === 'delete') {
      await status.remove(undefined, { requestInit: { signal } });
    } else {
      // Without media_ids the edit drops the attachments: the notice stands alone.
      await status.update(
        { status: call.text, language: mastodonLanguage(call.share.language) },
        { requestInit: { signal } },
      );
    }
    return { kind: 'withdrawn' };
  } catch (error) {
    return withdrawFailure(failure(error, signal, call.timeoutMs), call.action);
  }
}
