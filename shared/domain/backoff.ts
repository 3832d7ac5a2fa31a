/** Retry timing: exponential with full jitter, capped (docs/architecture.md, "Numbers"). */

export type BackoffPolicy = { baseSeconds: number; maxSeconds: number };

/** Seconds to wait before attempt `attempt` (0-based), between half and all of the exponential step. */
export function backoffSeconds(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.max(0, attempt));
  // Half fixed, half random: spreads retries without ever retrying at once.
  return step / 2 + (random() * step) / 2;
}
