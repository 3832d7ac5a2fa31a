/**
 * The local runtime runs the functions that have EventBridge rules of their own in AWS
 * (notify-editors every five minutes, check-channels every five minutes and hourly) on
 * every tick, as it runs the tick's own functions: locally the token keeper keeps its
 * cadence, so tokens that live seconds stay alive.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LogEntry } from '../../../infra/local/logger';
import { FUNCTIONS } from '../../../shared/resources';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
const entries: LogEntry[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    functions: {
      'check-channels': FUNCTIONS['check-channels'],
      'notify-editors': FUNCTIONS['notify-editors'],
    },
    tickSeconds: 0.5,
    sandboxes: false,
    logSink: (entry) => entries.push(entry),
  });
}, 60_000);

afterAll(async () => {
  await stack?.dispose();
});

it('runs check-channels and notify-editors on every tick, though AWS runs them on rules of their own', async () => {
  expect(FUNCTIONS['check-channels']).not.toHaveProperty('schedule');
  expect(FUNCTIONS['notify-editors']).not.toHaveProperty('schedule');
  const done = (name: string) =>
    entries.filter((entry) => entry.event === 'scheduler.tick-done' && entry.function === name)
      .length;
  await expect.poll(() => done('check-channels'), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  await expect.poll(() => done('notify-editors'), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
});
