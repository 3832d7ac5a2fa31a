/** A clock the test moves by hand: `now()` stays put until `set` or `advance`. */
import type { Clock } from '../../../shared/domain/ports';

export class ManualClock implements Clock {
  private at: number;

  constructor(start: string | Date = '2026-03-02T09:00:00.000Z') {
    this.at = new Date(start).getTime();
    if (Number.isNaN(this.at)) throw new Error(`not an instant: ${String(start)}`);
  }

  /** A fresh Date each call: a caller that mutates it cannot move the clock. */
  now(): Date {
    return new Date(this.at);
  }

  set(instant: string | Date): void {
    const at = new Date(instant).getTime();
    if (Number.isNaN(at)) throw new Error(`not an instant: ${String(instant)}`);
    this.at = at;
  }

  advance(ms: number): void {
    this.at += ms;
  }

  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000);
  }

  iso(): string {
    return new Date(this.at).toISOString();
  }
}
