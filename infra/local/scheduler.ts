/**
 * The local EventBridge schedule: every tick, each scheduled function gets a Scheduled
 * Event, with its timeout applied. A function still busy with the previous tick skips
 * this one (EventBridge would start a second, concurrent run; here ticks never overlap).
 */
import { randomUUID } from 'node:crypto';
import type { Handler, ScheduledEvent } from 'aws-lambda';
import { type FunctionIdentity, invokeHandler } from './invoke';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-aws';
import type { Logger } from './logger';

export type ScheduledFunction = {
  function: FunctionIdentity;
  loadHandler: () => Promise<Handler>;
};

export type Scheduler = {
  /** stops ticking and waits for running invocations, at most `graceMs` */
  stop(options?: { graceMs?: number }): Promise<void>;
};

export function scheduledEvent(
  functionName: string,
  at: Date,
  region: string = LOCAL_REGION,
): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT_ID,
    // EventBridge states the scheduled time to the second.
    time: `${at.toISOString().slice(0, 19)}Z`,
    region,
    resources: [`arn:aws:events:${region}:${LOCAL_ACCOUNT_ID}:rule/crier-${functionName}-schedule`],
    detail: {},
  };
}

export function startScheduler(options: {
  functions: readonly ScheduledFunction[];
  tickSeconds: number;
  log: Logger;
  /** each run's success at debug, not info: a schedule of a few seconds would drown the log */
  quiet?: boolean;
}): Scheduler {
  const { functions, log } = options;
  const intervalMs = Math.max(1, Math.round(options.tickSeconds * 1000));
  const running = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;

  const run = async (scheduled: ScheduledFunction, due: Date): Promise<void> => {
    const fn = scheduled.function;
    let handler: Handler;
    try {
      handler = await scheduled.loadHandler();
    } catch (error) {
      log.error('function.load-failed', { function: fn.name, error });
      return;
    }
    const outcome = await invokeHandler(handler, scheduledEvent(fn.name, due, fn.region), fn, log);
    const fields = {
      function: fn.name,
      requestId: outcome.requestId,
      durationMs: outcome.durationMs,
    };
    if (outcome.status === 'succeeded') {
      if (options.quiet) log.debug('scheduler.tick-done', fields);
      else log.info('scheduler.tick-done', fields);
    } else if (outcome.status === 'failed')
      log.error('scheduler.tick-failed', { ...fields, error: outcome.error });
    else log.error('scheduler.tick-timed-out', { ...fields, timeoutSeconds: fn.timeoutSeconds });
  };

  const tick = (due: number): void => {
    if (stopping) return;
    for (const scheduled of functions) {
      const name = scheduled.function.name;
      if (running.has(name)) {
        log.warn('scheduler.tick-skipped', {
          function: name,
          reason: 'the previous tick is still running',
        });
        continue;
      }
      const invocation = run(scheduled, new Date(due)).finally(() => running.delete(name));
      running.set(name, invocation);
    }
    // Aim at the next multiple of the interval so ticks do not drift.
    const next = Math.max(due + intervalMs, Date.now());
    timer = setTimeout(() => tick(next), next - Date.now());
  };

  if (functions.length > 0) {
    const first = Date.now() + intervalMs;
    timer = setTimeout(() => tick(first), intervalMs);
    log.debug('scheduler.started', {
      tickSeconds: options.tickSeconds,
      functions: functions.map((scheduled) => scheduled.function.name),
    });
  }

  return {
    stop: async ({ graceMs = 10_000 } = {}) => {
      stopping = true;
      clearTimeout(timer);
      if (running.size === 0) return;
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(running.values()),
        new Promise((resolve) => {
          graceTimer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(graceTimer);
    },
  };
}
