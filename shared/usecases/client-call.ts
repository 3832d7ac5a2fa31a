/**
 * How a use case calls a network client: a client answers with an outcome and never
 * throws, and one that throws anyway is turned into the outcome its caller names.
 */
import type { PublishOutcome, ReconcileOutcome, WithdrawOutcome } from '../platforms/client';

/** A client that throws instead of answering broke its contract: `onError` says what that means. */
export async function callSafely<T extends PublishOutcome | ReconcileOutcome | WithdrawOutcome>(
  call: () => Promise<T>,
  onError: (message: string) => T,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    return onError(`client error: ${error instanceof Error ? error.message : String(error)}`);
  }
}
