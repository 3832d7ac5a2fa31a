/**
 * Fault knobs shared by the sandbox networks: `CRIER_SANDBOX_FAULTS` and
 * `POST /sandbox/faults` take `<platform or *>:<fault>:<probability>[:<times>]`, comma
 * separated. The optional `times` caps how often a rule fires, so a test can say
 * "Mastodon answers 503 twice" and know the third attempt goes through.
 */
import { PLATFORMS, type Platform } from '../../../shared/domain/platform';

export const FAULTS = [
  /** rate limited: the network's 429 with its own reset, enforced until then */
  '429',
  /** a 5xx before anything is committed */
  '500',
  '502',
  '503',
  /** the post is accepted, then no answer comes until the client gives up */
  'timeout',
  /** the connection is dropped before anything is committed */
  'reset',
  /** a normal answer, a few seconds late */
  'slow',
  /** the post is accepted, then the connection drops before the answer */
  'crash-after-post',
  /** the post is accepted, then the network answers 500 (Meta, proxies) */
  '500-after-post',
  /** the network's own auth error: token revoked, or (Bluesky, X OAuth 2) expired */
  'auth',
  'expired-token',
  /**
   * the token is good but lacks a permission or role: Meta's #10 or #200, X's, LinkedIn's
   * and Mastodon's 403, Telegram's bot without the right to post. No refresh helps.
   */
  'permission',
  /** Meta: the network could not download the image_url it was given */
  'download-failed',
  /** Meta: the media container ends in status ERROR instead of FINISHED */
  'container-error',
] as const;

export type Fault = (typeof FAULTS)[number];

/** The faults any network's create route plays; the Meta-only ones are its own to add. */
export const POST_FAULTS: readonly Fault[] = FAULTS.filter(
  (fault) => fault !== 'download-failed' && fault !== 'container-error',
);

/**
 * The faults a read route plays (a post's metrics): a read commits nothing, so the faults
 * that accept a post first do not apply, and the network's auth refusals are its own.
 */
export const READ_FAULTS: readonly Fault[] = [
  '429',
  '500',
  '502',
  '503',
  'timeout',
  'reset',
  'slow',
];

export type FaultRule = {
  platform: Platform | '*';
  fault: Fault;
  probability: number;
  /** how many more times the rule may fire; undefined = no cap */
  remaining?: number;
};

export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

export function parseFaults(spec: string | undefined): FaultRule[] {
  if (!spec?.trim()) return [];
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [platform, fault, probability, times, ...rest] = part.split(':');
      const p = Number(probability);
      const valid =
        rest.length === 0 &&
        (platform === '*' || PLATFORMS.some((name) => name === platform)) &&
        FAULTS.some((name) => name === fault) &&
        probability !== undefined &&
        probability !== '' &&
        p >= 0 &&
        p <= 1 &&
        (times === undefined || /^[1-9]\d*$/.test(times));
      if (!valid) {
        throw new FaultSpecError(
          `Invalid fault "${part}": use <platform or *>:<fault>:<probability 0-1>[:<times>], faults ${FAULTS.join(', ')}`,
        );
      }
      return {
        platform: platform as Platform | '*',
        fault: fault as Fault,
        probability: p,
        remaining: times === undefined ? undefined : Number(times),
      };
    });
}

/** Decides, request by request, which fault (if any) a sandbox plays. */
export class FaultInjector {
  private rules: FaultRule[] = [];

  constructor(
    spec: string | undefined,
    readonly resetSeconds: number = 5,
    private readonly random: () => number = Math.random,
  ) {
    this.set(spec);
  }

  set(spec: string | undefined): void {
    this.rules = parseFaults(spec);
  }

  describe(): string {
    return this.rules
      .filter((r) => r.remaining === undefined || r.remaining > 0)
      .map(
        (r) => `${r.platform}:${r.fault}:${r.probability}${r.remaining ? `:${r.remaining}` : ''}`,
      )
      .join(',');
  }

  /** The fault to play on this request of `platform`, among those the route can play. */
  pick(platform: Platform, applicable: readonly Fault[] = FAULTS): Fault | undefined {
    for (const rule of this.rules) {
      if (rule.platform !== '*' && rule.platform !== platform) continue;
      if (!applicable.includes(rule.fault)) continue;
      if (rule.remaining !== undefined && rule.remaining <= 0) continue;
      if (this.random() >= rule.probability) continue;
      if (rule.remaining !== undefined) rule.remaining -= 1;
      return rule.fault;
    }
    return undefined;
  }
}
