/** When a new share falls due, from its channel's schedule and the article's embargo. */
import type { Schedule } from './channel';

export function firstDueAt(
  schedule: Schedule,
  { now, receivedAt, shareAt }: { now: Date; receivedAt: string; shareAt?: string },
): string {
  const base =
    schedule.type === 'asap'
      ? now.getTime()
      : new Date(receivedAt).getTime() + schedule.minutes * 60_000;
  const embargo = shareAt ? new Date(shareAt).getTime() : 0;
  return new Date(Math.max(base, embargo, now.getTime())).toISOString();
}
