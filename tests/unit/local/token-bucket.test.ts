/** The local gateway's throttle: API Gateway's token bucket, rate and burst. */
import { describe, expect, it } from 'vitest';
import { TokenBucket, webhookThrottleFrom } from '../../../infra/local/token-bucket';
import { WEBHOOK_THROTTLE } from '../../../shared/resources';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBucket', () => {
  it('lets a burst through at once, then refuses with the seconds until the next token', () => {
    const time = clock();
    const bucket = new TokenBucket({ rateLimit: 2, burstLimit: 3 }, time.now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual(Array(3).fill({ allowed: true }));
    // Half a second to the next token at 2 a second: Retry-After is whole seconds, so 1.
    expect(bucket.take()).toEqual({ allowed: false, retryAfterSeconds: 1 });
    time.advance(499);
    expect(bucket.take().allowed).toBe(false);
    time.advance(1);
    expect(bucket.take()).toEqual({ allowed: true });
    expect(bucket.take().allowed).toBe(false);
  });

  it('refills at the rate and never above the burst', () => {
    const time = clock();
    const bucket = new TokenBucket({ rateLimit: 10, burstLimit: 5 }, time.now);
    for (let i = 0; i < 5; i++) bucket.take();
    time.advance(60_000);
    const taken = Array.from({ length: 8 }, () => bucket.take().allowed);
    expect(taken.filter(Boolean)).toHaveLength(5);
  });

  it('holds a sustained sender to the rate', () => {
    const time = clock();
    const bucket = new TokenBucket({ rateLimit: 4, burstLimit: 4 }, time.now);
    let allowed = 0;
    // 100 requests a second for 10 seconds.
    for (let i = 0; i < 1000; i++) {
      if (bucket.take().allowed) allowed += 1;
      time.advance(10);
    }
    expect(allowed).toBeGreaterThanOrEqual(4 + 4 * 10 - 1);
    expect(allowed).toBeLessThanOrEqual(4 + 4 * 10 + 1);
  });

  it('tells a slow rate to wait several seconds', () => {
    const bucket = new TokenBucket({ rateLimit: 0.25, burstLimit: 1 }, clock().now);
    bucket.take();
    expect(bucket.take()).toEqual({ allowed: false, retryAfterSeconds: 4 });
  });

  it('refuses a throttle that could never let anything through', () => {
    expect(() => new TokenBucket({ rateLimit: 0, burstLimit: 1 })).toThrow(/rate above 0/);
    expect(() => new TokenBucket({ rateLimit: 1, burstLimit: 0 })).toThrow(/burst of at least 1/);
  });
});

describe('the local webhook throttle’s settings', () => {
  it('defaults to what the CDK deploys, and reads the environment', () => {
    expect(webhookThrottleFrom({})).toEqual(WEBHOOK_THROTTLE);
    expect(
      webhookThrottleFrom({ CRIER_WEBHOOK_RATE_LIMIT: '0.5', CRIER_WEBHOOK_BURST_LIMIT: '2' }),
    ).toEqual({ rateLimit: 0.5, burstLimit: 2 });
    expect(webhookThrottleFrom({ CRIER_WEBHOOK_RATE_LIMIT: 'off' })).toBe(false);
  });

  it('refuses values that are not numbers, a rate of 0 or a fractional burst', () => {
    expect(() => webhookThrottleFrom({ CRIER_WEBHOOK_RATE_LIMIT: 'fast' })).toThrow(
      /CRIER_WEBHOOK_RATE_LIMIT/,
    );
    expect(() => webhookThrottleFrom({ CRIER_WEBHOOK_RATE_LIMIT: '0' })).toThrow(/above 0/);
    expect(() => webhookThrottleFrom({ CRIER_WEBHOOK_BURST_LIMIT: '1.5' })).toThrow(
      /CRIER_WEBHOOK_BURST_LIMIT must be a whole number/,
    );
  });
});
