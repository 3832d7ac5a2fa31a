import type { ScheduledEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type LogEntry } from '../../../infra/local/logger';
import { type Scheduler, startScheduler } from '../../../infra/local/scheduler';

let scheduler: Scheduler | undefined;
let logs: LogEntry[] = [];
const log = createLogger({ quiet: true, sink: (entry) => logs.push(entry) });

afterEach(async () => {
  await scheduler?.stop({ graceMs: 2_000 });
  scheduler = undefined;
  logs = [];
});

describe('the local EventBridge schedule', () => {
  it('invokes each scheduled function on every tick with a Scheduled Event', async () => {
    const events: ScheduledEvent[] = [];
    const started = Date.now();
    scheduler = startScheduler({
      tickSeconds: 0.2,
      log,
      functions: [
        {
          function: { name: 'dispatch-due', timeoutSeconds: 1, memoryMB: 256 },
          loadHandler: async () => async (event: ScheduledEvent) => {
            events.push(event);
          },
        },
      ],
    });
    await vi.waitFor(() => expect(events.length).toBeGreaterThanOrEqual(2), { timeout: 3_000 });
    // The first tick comes one interval after the start, as with a rate schedule.
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(events[0]).toMatchObject({
      version: '0',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: expect.any(String),
      region: 'us-east-1',
      detail: {},
    });
    expect(events[0]?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(events[0]?.resources[0]).toMatch(/^arn:aws:events:us-east-1:\d{12}:rule\//);
    expect(events[0]?.id).not.toBe(events[1]?.id);
  });

  it('skips a tick, with a log line, while the previous one is still running', async () => {
    let running = 0;
    let mostAtOnce = 0;
    let calls = 0;
    scheduler = startScheduler({
      tickSeconds: 0.1,
      log,
      functions: [
        {
          function: { name: 'slow-sweep', timeoutSeconds: 2, memoryMB: 256 },
          loadHandler: async () => async () => {
            calls += 1;
            running += 1;
            mostAtOnce = Math.max(mostAtOnce, running);
            await new Promise((resolve) => setTimeout(resolve, 350));
            running -= 1;
          },
        },
      ],
    });
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(2), { timeout: 3_000 });
    expect(mostAtOnce).toBe(1);
    const skipped = logs.filter((entry) => entry.event === 'scheduler.tick-skipped');
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    expect(skipped[0]?.function).toBe('slow-sweep');
  });

  it('applies the function timeout to a tick and goes on ticking', async () => {
    let calls = 0;
    scheduler = startScheduler({
      tickSeconds: 0.1,
      log,
      functions: [
        {
          function: { name: 'stuck', timeoutSeconds: 0.15, memoryMB: 256 },
          loadHandler: async () => () => {
            calls += 1;
            return new Promise(() => {});
          },
        },
      ],
    });
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(2), { timeout: 3_000 });
    expect(logs.map((entry) => entry.event)).toContain('scheduler.tick-timed-out');
  });
});
