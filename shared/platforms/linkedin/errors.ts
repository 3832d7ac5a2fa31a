/**
 * What LinkedIn's answers mean for a share: its error body in words, a duplicate and the
 * post it names, the daily quota against its infrastructure's backoff, and failures
 * before the create, of a lookup and of a withdrawal (docs/networks.md, LinkedIn).
 */
import * as z from 'zod';
import type { PublishOutcome, WithdrawOutcome } from '../client';
import { type Answer, type Exchange, unansweredLookup } from '../rest/http';
import type { Api } from './api';

const DUPLICATE_OF = /duplicate of (urn:li:(?:share|ugcPost):\d+)/i;
/** LinkedIn's daily quotas say so in the 429's message; anything else is its infrastructure. */
const DAILY_QUOTA = /throttle limit/i;
/** A 429 that is not the daily quota (infrastructure protection): back off, then try again. */
const INFRASTRUCTURE_BACKOFF_MS = 5 * 60_000;

const errorSchema = z.object({
  message: z.string().optional(),
  code: z.string().optional(),
  errorDetails: z
    .object({
      inputErrors: z
        .array(z.object({ code: z.string().optional(), description: z.string().optional() }))
        .optional(),
    })
    .optional(),
});

export function describe(answer: Answer): string {
  const parsed = errorSchema.safeParse(answer.body);
  const error = parsed.success ? parsed.data : {};
  // Rest.li's validation messages end in a newline.
  const said = [error.code, error.message?.trim()].filter(Boolean).join(': ');
  return `LinkedIn answered ${answer.status}${said ? ` ${said.slice(0, 300)}` : ''}`;
}

/** A 422 DUPLICATE_POST, with the URN of the original when the message names one. */
export function duplicateOf(answer: Answer): { urn: string | undefined } | undefined {
  if (answer.status !== 422) return undefined;
  const parsed = errorSchema.safeParse(answer.body);
  if (!parsed.success) return undefined;
  const urn = DUPLICATE_OF.exec(parsed.data.message ?? '')?.[1];
  const flagged = (parsed.data.errorDetails?.inputErrors ?? []).some(
    (e) => e.code === 'DUPLICATE_POST',
  );
  return flagged || urn ? { urn } : undefined;
}

/** The next midnight UTC for the daily quota (LinkedIn sends no reset), else a short backoff. */
export function rateUntil(answer: Answer, now = Date.now()): string {
  const parsed = errorSchema.safeParse(answer.body);
  if (parsed.success && DAILY_QUOTA.test(parsed.data.message ?? '')) {
    const midnight = new Date(now);
    midnight.setUTCHours(24, 0, 0, 0);
    return midnight.toISOString();
  }
  return new Date(now + INFRASTRUCTURE_BACKOFF_MS).toISOString();
}

function versionMessage(api: Api, answer: Answer): string {
  return `${describe(answer)}: LinkedIn-Version ${api.credentials.version} is no longer served; set a current version in the channel's credentials`;
}

/** What a call's outcome may be for any LinkedIn answer: publish and withdraw share these. */
type Refusal = Extract<PublishOutcome & WithdrawOutcome, { kind: 'auth' | 'rejected' | 'rate' }>;

/** The answers every call reads alike: the token refused, the API version gone, a quota. */
export function refusal(api: Api, answer: Answer, message: string): Refusal | undefined {
  // 401: the token is dead (revoked, expired, invalid); 403 (ACCESS_DENIED): it lacks a
  // scope or the member's role on the organization, which no refresh changes.
  if (answer.status === 401) return { kind: 'auth', message };
  if (answer.status === 403) return { kind: 'auth', message, permission: true };
  if (answer.status === 426) return { kind: 'rejected', message: versionMessage(api, answer) };
  if (answer.status === 429) return { kind: 'rate', until: rateUntil(answer), message };
  return undefined;
}

/** A failure before the post was sent: nothing was posted, whatever went wrong. */
export function beforeCreate(api: Api, step: string, result: Exchange): PublishOutcome {
  if (!result.ok) {
    return {
      kind: 'retry',
      message:
        result.failure === 'timeout'
          ? `No answer from LinkedIn to ${step} within ${api.timeoutMs} ms; nothing was posted`
          : `LinkedIn failed ${step} (${result.detail}); nothing was posted`,
    };
  }
  const { answer } = result;
  const message = `${describe(answer)} to ${step}; nothing was posted`;
  const refused = refusal(api, answer, message);
  if (refused) return refused;
  if (answer.status >= 500) return { kind: 'retry', message };
  return { kind: 'rejected', message };
}

export function lookupProblem(api: Api, result: Exchange): string {
  if (!result.ok) return unansweredLookup('LinkedIn', result, api.timeoutMs);
  if (result.answer.status === 429) {
    return `LinkedIn rate-limited the lookup until ${rateUntil(result.answer)}`;
  }
  return `${describe(result.answer)} to the posts lookup`;
}

export function withdrawOutcome(api: Api, result: Exchange, action: string): WithdrawOutcome {
  if (!result.ok) {
    return {
      kind: 'retry',
      message: `${unansweredLookup('LinkedIn', result, api.timeoutMs)} to the ${action}`,
    };
  }
  const { answer } = result;
  if (answer.status >= 200 && answer.status <= 299) return { kind: 'withdrawn' };
  // Deleted by hand, or by an earlier attempt whose answer was lost.
  if (answer.status === 404 || answer.status === 410) {
    return { kind: 'withdrawn', note: 'the post was already gone' };
  }
  const message = describe(answer);
  const refused = refusal(api, answer, message);
  if (refused) return refused;
  if (answer.status >= 500) return { kind: 'retry', message };
  return { kind: 'rejected', message: `LinkedIn refused the ${action}: ${message}` };
}
