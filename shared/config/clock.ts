/**
 * The clock the functions read: the system's, unless the local runtime was started with
 * a clock of its own (tests that cross a date, such as a daylight-saving change).
 * Nothing in AWS sets one. shared/composition hands it to every handler as `clock`.
 */
import type { Clock } from '../domain/ports';

let localClock: Clock | undefined;

export const runtimeClock: Clock = { now: () => localClock?.now() ?? new Date() };

/** The local runtime only: every function in this process reads `clock` until it is unset. */
export function setLocalClock(clock: Clock | undefined): void {
  localClock = clock;
}
