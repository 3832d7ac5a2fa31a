/**
 * API Gateway's throttle, locally: a bucket of `burstLimit` tokens refilled at `rateLimit`
 * a second; a request takes one, and without one it is refused with the wait until the
 * next token.
 */
import { type Throttle, WEBHOOK_THROTTLE } from '../../shared/resources';

export type Take = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly throttle: Throttle,
    /** milliseconds, monotonic */
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(throttle.rateLimit > 0) || !(throttle.burstLimit >= 1)) {
      throw new Error('a throttle needs a rate above 0 and a burst of at least 1');
    }
    this.tokens = throttle.burstLimit;
    this.last = now();
  }

  take(): Take {
    const now = this.now();
    const { rateLimit, burstLimit } = this.throttle;
    this.tokens = Math.min(burstLimit, this.tokens + ((now - this.last) / 1000) * rateLimit);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true };
    }
    // Whole seconds, as Retry-After is written, and never 0: a sender told 0 comes straight back.
    const wait = (1 - this.tokens) / rateLimit;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
  }
}

/**
 * The local webhooks' throttle from the environment (CRIER_WEBHOOK_RATE_LIMIT,
 * CRIER_WEBHOOK_BURST_LIMIT): what the CDK deploys unless told otherwise; `off` for none.
 */
export function webhookThrottleFrom(env: Record<string, string | undefined>): Throttle | false {
  const rate = env.CRIER_WEBHOOK_RATE_LIMIT?.trim();
  if (rate === 'off') return false;
  const read = (value: string | undefined, name: string, fallback: number): number => {
    if (value === undefined || value.trim() === '') return fallback;
    const number = Number(value);
    if (!Number.isFinite(number)) throw new Error(`${name} must be a number`);
    return number;
  };
  const throttle: Throttle = {
    rateLimit: read(rate, 'CRIER_WEBHOOK_RATE_LIMIT', WEBHOOK_THROTTLE.rateLimit),
    burstLimit: read(
      env.CRIER_WEBHOOK_BURST_LIMIT,
      'CRIER_WEBHOOK_BURST_LIMIT',
      WEBHOOK_THROTTLE.burstLimit,
    ),
  };
  if (!(throttle.rateLimit > 0)) {
    throw new Error('CRIER_WEBHOOK_RATE_LIMIT must be above 0 (or off)');
  }
  if (!Number.isInteger(throttle.burstLimit) || throttle.burstLimit < 1) {
    throw new Error('CRIER_WEBHOOK_BURST_LIMIT must be a whole number, at least 1');
  }
  return throttle;
}
