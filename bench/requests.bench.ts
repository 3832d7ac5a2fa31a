/**
 * AWS requests per article on the local stack, counted at the emulators (a metering
 * proxy in front of dynalite and fauxqs that every function's SDK client goes through),
 * against the minimum the share state machine needs, and what they would cost per
 * 1,000 articles on AWS. The tick is an hour here, so only the article's own path runs;
 * one idle tick is measured apart (it costs the same whatever the articles).
 *
 * The minimum, for an article with S shares (S = the channels, 8 by default):
 * - DynamoDB writes 4S + 3: the article revision and the delivery guard (ingest); S
 *   shares and the composed mark (compose); enqueue, start and succeed for each share.
 * - DynamoDB reads 3S + 3: the delivery guard (ingest); the article, and again after the
 *   shares are written (compose, docs/architecture.md); for each share its claim's read, the
 *   article's status and embargo, and the channel's rate limit (publish).
 * - SQS 3(S + 1): one compose and S publish messages, each sent, received and deleted
 *   (Lambda's event source mapping receives and deletes; at this volume, one a batch).
 * - Lambda S + 2 invocations: ingest, compose, and one publish per share.
 *
 * Every AWS request is counted: DynamoDB, SQS and S3 at the emulators; Secrets Manager
 * where the local runtime reads and writes the channel secret files that stand in for it
 * (a read there is a GetSecretValue in AWS, a write a PutSecretValue).
 *
 * Lambda GB-seconds: each invocation's measured duration, scaled for the CPU Lambda gives
 * at the function's memory. Here a handler runs on one core of this machine, what Lambda
 * gives at 1,769 MB; below that Lambda gives memory/1,769 of a core, so the computing
 * part of an invocation takes 1,769/memory times as long, and above it one core is all a
 * single-threaded handler uses. The computing part is the CPU this process used while
 * the invocation ran (sampled every few ms), at most its duration: an upper bound, since
 * the emulators and sandboxes, which are across the network in AWS, share the process.
 * The rest is waiting, which takes as long at any memory.
 *
 * Prices (us-east-1, on demand, without free tiers): DynamoDB $0.625 per million write
 * and $0.125 per million read request units; SQS $0.40 per million requests; Lambda
 * arm64 $0.20 per million requests and $0.0000133334 per GB-second; HTTP API $1.00 per
 * million requests; S3 $0.005 per 1,000 PUTs and $0.0004 per 1,000 GETs; Secrets Manager
 * $0.05 per 10,000 API calls.
 * Engagement readings: once the articles are out, the clock the functions read is moved
 * past each of CRIER_METRICS_AFTER's ages in turn (default 1h,6h,24h,72h,7d) and the
 * collector run once at each, so every post is read at every age, as in AWS. The minimum
 * a reading needs is 1 read and 2 writes: the share (its post's id and version), the
 * reading's item, and the share's latest reading with its next age. The collector's own
 * runs (every five minutes, readings due or not) are counted apart, as an idle run.
 * Run: npx tsx bench/requests.bench.ts [--quick]
 */
import { scheduledEvent } from '../infra/local/scheduler';
import { FileChannelSecrets } from '../shared/config/channel-secrets';
import { loadChannelsConfig } from '../shared/config/channels';
import { readMetricsAfter } from '../shared/config/metrics';
import { FUNCTIONS } from '../shared/resources';
import { startMeteringProxy } from './support/aws-proxy';
import { DynamoMeter, type MeterTotals } from './support/dynamo-meter';
import { type BenchRow, count, ms, QUICK, report, sleep } from './support/report';
import {
  type BenchStack,
  finalShares,
  sandboxPosts,
  sendArticle,
  startBenchStack,
} from './support/stack';

const ARTICLES = QUICK ? 3 : 10;
const S = loadChannelsConfig(undefined).channels.length;
const PRICE = {
  wru: 0.625 / 1e6,
  rru: 0.125 / 1e6,
  sqs: 0.4 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  gbSecond: 0.0000133334,
  httpApi: 1 / 1e6,
  s3Put: 0.005 / 1e3,
  s3Get: 0.0004 / 1e3,
  secretsManager: 0.05 / 1e4,
};
/** The sizes the per-function rows compare. */
const SIZES = [256, 512, 1024, 1536, 1769] as const;
/** The memory at which Lambda gives a function one full vCPU. */
const FULL_CORE_MB = 1769;

/**
 * An invocation's duration at `memoryMB`, from what it took here on one core: the
 * computing part grows as the CPU share shrinks below a core, the waiting does not.
 */
function durationAt(run: { cpuMs: number; waitMs: number }, memoryMB: number): number {
  const share = Math.min(1, memoryMB / FULL_CORE_MB);
  return run.cpuMs / share + run.waitMs;
}

/** GB-seconds Lambda bills for it (whole milliseconds). */
const gbSecondsAt = (run: { cpuMs: number; waitMs: number }, memoryMB: number) =>
  (Math.ceil(durationAt(run, memoryMB)) / 1000) * (memoryMB / 1024);

/** The process's CPU time (ms, every thread) at each sample, to split an invocation. */
const cpuSamples: { at: number; cpuMs: number }[] = [];
const sampleCpu = () => {
  const { user, system } = process.cpuUsage();
  cpuSamples.push({ at: performance.now(), cpuMs: (user + system) / 1000 });
};
sampleCpu();
const sampler = setInterval(sampleCpu, 5);

/** The CPU the process used from `start` to `end`, read off the samples. */
function cpuBetween(start: number, end: number): number {
  const at = (time: number) => {
    let last = cpuSamples[0];
    for (const sample of cpuSamples) {
      if (sample.at > time) break;
      last = sample;
    }
    return last?.cpuMs ?? 0;
  };
  return at(end) - at(start);
}

/** Splits a finished invocation of `durationMs` into computing and waiting. */
function split(durationMs: number): { cpuMs: number; waitMs: number } {
  sampleCpu();
  const end = performance.now();
  const cpuMs = Math.min(durationMs, cpuBetween(end - durationMs, end));
  return { cpuMs, waitMs: durationMs - cpuMs };
}

/** Secrets Manager calls, counted where the local runtime stands in for it. */
const secretCalls: Record<string, number> = {};
const countSecret = (operation: string) => {
  secretCalls[operation] = (secretCalls[operation] ?? 0) + 1;
};
const fileSecrets = FileChannelSecrets.prototype;
const { get: readFileSecret, put: writeFileSecret } = fileSecrets;
fileSecrets.get = function (this: FileChannelSecrets, channelId: string) {
  countSecret('GetSecretValue');
  return readFileSecret.call(this, channelId);
};
fileSecrets.put = function (this: FileChannelSecrets, channelId: string, value: unknown) {
  countSecret('PutSecretValue');
  return writeFileSecret.call(this, channelId, value);
};
const MINIMUM = { writes: 4 * S + 3, reads: 3 * S + 3, sqs: 3 * (S + 1), invocations: S + 2 };

type Invocation = {
  function: string;
  durationMs: number;
  cpuMs: number;
  waitMs: number;
  messages: number;
};
const invocations: Invocation[] = [];
let recording = false;

delete process.env.CRIER_SANDBOX_FAULTS;
/** The functions' clock: the system's, moved forward to make the readings due. */
const shifted = { byMs: 0, now: () => new Date(Date.now() + shifted.byMs) };
const stack: BenchStack = await startBenchStack({
  tickSeconds: 3600,
  clock: shifted,
  // The collector runs only when this bench invokes it, so the articles' own requests are
  // counted alone.
  functions: {
    ...FUNCTIONS,
    'collect-metrics': { ...FUNCTIONS['collect-metrics'], localEverySeconds: undefined },
  },
  logSink: (entry) => {
    if (!recording) return;
    if (entry.event === 'http.request' && entry.route === 'POST /webhooks/generic') {
      const durationMs = Number(entry.ms);
      invocations.push({
        function: 'ingest-webhook',
        durationMs,
        ...split(durationMs),
        messages: 0,
      });
    } else if (entry.event === 'poller.batch-done' && typeof entry.function === 'string') {
      const messages = Array.isArray(entry.messages) ? entry.messages.length : 1;
      const durationMs = Number(entry.durationMs);
      invocations.push({ function: entry.function, durationMs, ...split(durationMs), messages });
    }
  },
});
const meter = new DynamoMeter();
const dynamo = await startMeteringProxy({ target: stack.dynamoEndpoint, meter });
const sqs = await startMeteringProxy({ target: stack.sqsEndpoint });
const s3 = await startMeteringProxy({ target: stack.sqsEndpoint });
// The handlers build their clients at their first invocation, from these.
process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;

const snapshot = (totals: MeterTotals) => ({
  ...totals,
  requests: { ...totals.requests },
  byItem: { ...totals.byItem },
});
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const run = Date.now().toString(36);

/** Sends one article and waits for its S posts, without reading the table meanwhile. */
async function publishOne(id: string): Promise<string> {
  const before = (await sandboxPosts(stack)).length;
  const { articleId } = await sendArticle(stack, id);
  const deadline = Date.now() + 90_000;
  while ((await sandboxPosts(stack)).length < before + S) {
    if (Date.now() > deadline) throw new Error(`${id}: not every share was posted`);
    await sleep(50);
  }
  // The last post's record is written just after the sandbox answers.
  await sleep(1_000);
  return articleId;
}

const rows: BenchRow[] = [];
try {
  await finalShares(stack, await publishOne(`bench-${run}-warm`));
  dynamo.reset();
  sqs.reset();
  s3.reset();
  for (const key of Object.keys(secretCalls)) delete secretCalls[key];
  const before = snapshot(meter.totals);
  recording = true;
  const articleIds: string[] = [];
  for (let i = 0; i < ARTICLES; i++) articleIds.push(await publishOne(`bench-${run}-${i}`));
  recording = false;
  const after = snapshot(meter.totals);
  const dynamoCounts = { ...dynamo.counts };
  const sqsCounts = { ...sqs.counts };
  const s3Counts = { ...s3.counts };
  const secretCounts = { ...secretCalls };
  for (const articleId of articleIds) {
    const shares = await finalShares(stack, articleId);
    const unpublished = shares.filter((share) => share.status !== 'published');
    if (unpublished.length) throw new Error(`${articleId}: ${unpublished.length} not published`);
  }

  const per = (value: number) => value / ARTICLES;
  const dynamoRequests = per(total(dynamoCounts));
  const reads = per(
    (dynamoCounts.GetItem ?? 0) + (dynamoCounts.Query ?? 0) + (dynamoCounts.BatchGetItem ?? 0),
  );
  const writes = dynamoRequests - reads;
  const rru = per(after.readUnits - before.readUnits);
  const wru = per(after.writeUnits - before.writeUnits);
  const indexWru = per(after.indexWriteUnits - before.indexWriteUnits);
  const batches = invocations.filter((i) => i.function !== 'ingest-webhook').length;
  // The event source mapping's own requests: a receive and a delete for each batch.
  const sqsRequests = per(total(sqsCounts) + 2 * batches);
  const lambdaInvocations = per(invocations.length);
  type FunctionRuns = { invocations: number; ms: number; cpuMs: number; runs: Invocation[] };
  const byFunction = new Map<string, FunctionRuns>();
  for (const invocation of invocations) {
    const entry = byFunction.get(invocation.function) ?? {
      invocations: 0,
      ms: 0,
      cpuMs: 0,
      runs: [],
    };
    entry.invocations += 1;
    entry.ms += invocation.durationMs;
    entry.cpuMs += invocation.cpuMs;
    entry.runs.push(invocation);
    byFunction.set(invocation.function, entry);
  }
  const memoryOf = (name: string) =>
    FUNCTIONS[name as keyof typeof FUNCTIONS]?.memoryMB ?? FULL_CORE_MB;
  /** A function's GB-seconds and mean duration had it `memoryMB`. */
  const at = (runs: FunctionRuns, memoryMB: number) => ({
    gbSeconds: runs.runs.reduce((sum, run) => sum + gbSecondsAt(run, memoryMB), 0),
    meanMs: runs.runs.reduce((sum, run) => sum + durationAt(run, memoryMB), 0) / runs.invocations,
  });
  const gbSeconds = per(
    [...byFunction].reduce((sum, [name, runs]) => sum + at(runs, memoryOf(name)).gbSeconds, 0),
  );
  const s3Puts = per(s3Counts['S3 PUT'] ?? 0);
  const s3Gets = per((s3Counts['S3 GET'] ?? 0) + (s3Counts['S3 HEAD'] ?? 0));
  const secretRequests = per(total(secretCounts));

  const describe = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .map(([op, n]) => `${op} ${count(per(n), 1)}`)
      .join(', ');

  rows.push(
    {
      benchmark: 'requests',
      measure: 'DynamoDB requests an article',
      crier: count(dynamoRequests, 1),
      baseline: count(MINIMUM.writes + MINIMUM.reads),
      ratio: dynamoRequests / (MINIMUM.writes + MINIMUM.reads),
      note: `minimum ${MINIMUM.writes} writes + ${MINIMUM.reads} reads; measured ${describe(dynamoCounts)}`,
    },
    {
      benchmark: 'requests',
      measure: 'DynamoDB requests an article, by item',
      crier: count(dynamoRequests, 1),
      baseline: '-',
      // The item's kind from its keys: ART/A an article, ART/S a share, WH/W a delivery guard.
      note: describe(
        Object.fromEntries(
          Object.entries(after.byItem)
            .map(([what, n]) => [what, n - (before.byItem[what] ?? 0)] as const)
            .filter(([, n]) => n > 0),
        ),
      ),
    },
    {
      benchmark: 'requests',
      measure: 'DynamoDB writes / reads an article',
      crier: `${count(writes, 1)} / ${count(reads, 1)}`,
      baseline: `${MINIMUM.writes} / ${MINIMUM.reads}`,
      ratio: writes / MINIMUM.writes,
      note: `${count(wru, 1)} write units (${count(indexWru, 1)} of them index writes), ${count(rru, 1)} read units`,
    },
    {
      benchmark: 'requests',
      measure: 'SQS requests an article',
      crier: count(sqsRequests, 1),
      baseline: count(MINIMUM.sqs),
      ratio: sqsRequests / MINIMUM.sqs,
      note: `functions: ${describe(sqsCounts)}; event source mappings: a receive and a delete a batch`,
    },
    {
      benchmark: 'requests',
      measure: 'Lambda invocations / GB-s an article',
      crier: `${count(lambdaInvocations, 1)} / ${count(gbSeconds, 2)}`,
      baseline: `${MINIMUM.invocations} / -`,
      ratio: lambdaInvocations / MINIMUM.invocations,
      note: `each function at its memory, its measured durations scaled for the CPU share: ${[
        ...byFunction,
      ]
        .map(
          ([name, runs]) =>
            `${name} ${memoryOf(name)} MB ${count(per(runs.invocations), 1)} x ${ms(at(runs, memoryOf(name)).meanMs)} = ${count(per(at(runs, memoryOf(name)).gbSeconds), 3)}`,
        )
        .join(', ')}`,
    },
    // What each function would cost and take at other sizes, to choose its memory.
    ...[...byFunction].map(([name, runs]) => ({
      benchmark: 'requests',
      measure: `${name}: GB-s an article / mean duration by memory`,
      crier: `${count(per(at(runs, memoryOf(name)).gbSeconds), 3)} / ${ms(at(runs, memoryOf(name)).meanMs)}`,
      baseline: '-',
      note: `measured ${ms(runs.ms / runs.invocations)} a run, ${Math.round((100 * runs.cpuMs) / runs.ms)}% of it computing; ${SIZES.map(
        (memoryMB) =>
          `${memoryMB} MB ${count(per(at(runs, memoryMB).gbSeconds), 3)} / ${ms(at(runs, memoryMB).meanMs)}`,
      ).join(', ')}`,
    })),
    {
      benchmark: 'requests',
      measure: 'S3 / Secrets Manager requests an article',
      crier: `${count(per(total(s3Counts)), 1)} / ${count(secretRequests, 1)}`,
      baseline: '- / -',
      note: `S3: ${describe(s3Counts) || 'none'}; Secrets Manager: ${describe(secretCounts) || 'none (each channel secret is cached 5 minutes)'}`,
    },
  );

  const cost = (units: { wru: number; rru: number; sqs: number }) =>
    1000 *
    (units.wru * PRICE.wru +
      units.rru * PRICE.rru +
      units.sqs * PRICE.sqs +
      lambdaInvocations * PRICE.lambdaRequest +
      gbSeconds * PRICE.gbSecond +
      PRICE.httpApi +
      s3Puts * PRICE.s3Put +
      s3Gets * PRICE.s3Get +
      secretRequests * PRICE.secretsManager);
  const crierCost = cost({ wru, rru, sqs: sqsRequests });
  // The minimum's units: each minimal write and read of an item of the size measured.
  const minimumCost = cost({
    wru: (wru / writes) * MINIMUM.writes,
    rru: (rru / reads) * MINIMUM.reads,
    sqs: MINIMUM.sqs,
  });
  rows.push({
    benchmark: 'requests',
    measure: 'AWS cost per 1,000 articles (us-east-1)',
    crier: `$${crierCost.toFixed(4)}`,
    baseline: `$${minimumCost.toFixed(4)}`,
    ratio: crierCost / minimumCost,
    note: `the minimum's requests at the same item sizes; DynamoDB $${(1000 * (wru * PRICE.wru + rru * PRICE.rru)).toFixed(4)}, SQS $${(1000 * sqsRequests * PRICE.sqs).toFixed(4)}, Lambda $${(1000 * (lambdaInvocations * PRICE.lambdaRequest + gbSeconds * PRICE.gbSecond)).toFixed(4)}, S3 $${(1000 * (s3Puts * PRICE.s3Put + s3Gets * PRICE.s3Get)).toFixed(4)}, Secrets Manager $${(1000 * secretRequests * PRICE.secretsManager).toFixed(4)}, HTTP API $${(1000 * PRICE.httpApi).toFixed(4)}`,
  });

  // The readings: each age in turn, every post of the run (the warm-up article's too).
  dynamo.reset();
  for (const key of Object.keys(secretCalls)) delete secretCalls[key];
  const readingsBefore = snapshot(meter.totals);
  const offsets = readMetricsAfter(process.env);
  const collected = { read: 0, stopped: 0, skipped: 0, failed: 0, runs: 0, gbSeconds: 0 };
  for (const offset of offsets) {
    // Every post went out within minutes: ten minutes past an age, none is at the next.
    shifted.byMs = offset + 10 * 60_000;
    const started = performance.now();
    const answer = (await stack.invoke(
      'collect-metrics',
      scheduledEvent('collect-metrics', shifted.now()),
    )) as Partial<typeof collected>;
    collected.gbSeconds += gbSecondsAt(
      split(performance.now() - started),
      FUNCTIONS['collect-metrics'].memoryMB,
    );
    collected.runs += 1;
    collected.read += answer.read ?? 0;
    collected.stopped += answer.stopped ?? 0;
    collected.skipped += answer.skipped ?? 0;
    collected.failed += answer.failed ?? 0;
  }
  shifted.byMs = 0;
  const readingCounts = { ...dynamo.counts };
  const readingSecrets = { ...secretCalls };
  const handled = collected.read + collected.stopped + collected.skipped + collected.failed;
  const perReading = (value: number) => (handled ? value / handled : 0);
  const readingRequests = perReading(total(readingCounts));
  const readingRru = perReading(meter.totals.readUnits - readingsBefore.readUnits);
  const readingWru = perReading(meter.totals.writeUnits - readingsBefore.writeUnits);
  const readingMinimum = { reads: 1, writes: 2 };
  // An article's readings: each of its S posts at each age (where the network gives counts).
  const readingsAnArticle = S * offsets.length;
  const readingLambda = collected.runs * PRICE.lambdaRequest + collected.gbSeconds * PRICE.gbSecond;
  const readingCost =
    1000 *
    readingsAnArticle *
    (readingWru * PRICE.wru +
      readingRru * PRICE.rru +
      perReading(readingLambda) +
      perReading(total(readingSecrets)) * PRICE.secretsManager);
  const readingMinimumCost =
    1000 *
    readingsAnArticle *
    ((readingWru / Math.max(1, readingRequests - perReading(readingCounts.GetItem ?? 0))) *
      readingMinimum.writes *
      PRICE.wru +
      readingMinimum.reads * PRICE.rru);
  const none = collected.read === 0;
  rows.push(
    {
      benchmark: 'requests',
      measure: 'metrics readings: DynamoDB requests a reading',
      crier: count(readingRequests, 1),
      baseline: count(readingMinimum.reads + readingMinimum.writes),
      ratio: readingRequests / (readingMinimum.reads + readingMinimum.writes),
      note: `${collected.read} read, ${collected.stopped} stopped, ${collected.skipped} skipped, ${collected.failed} failed in ${collected.runs} runs${none ? ' (no client gives counts: every post stopped at its first age)' : ''}; minimum 1 read + 2 writes; measured ${Object.entries(
        readingCounts,
      )
        .map(([op, n]) => `${op} ${count(perReading(n), 2)}`)
        .join(', ')}`,
    },
    {
      benchmark: 'requests',
      measure: 'AWS cost per 1,000 articles, readings counted (us-east-1)',
      crier: `$${(crierCost + readingCost).toFixed(4)}`,
      baseline: `$${(minimumCost + readingMinimumCost).toFixed(4)}`,
      ratio: (crierCost + readingCost) / (minimumCost + readingMinimumCost),
      note: `${readingsAnArticle} readings an article (${S} posts x ${offsets.length} ages): $${readingCost.toFixed(4)} of it, ${count(readingWru, 1)} write and ${count(readingRru, 1)} read units and ${count(perReading(collected.gbSeconds), 4)} GB-s a reading; the minimum's readings at the same item sizes`,
    },
  );

  // One idle run of the collector: what its schedule costs, readings due or not.
  dynamo.reset();
  const idleReadings = snapshot(meter.totals);
  const idleStarted = performance.now();
  await stack.invoke('collect-metrics', scheduledEvent('collect-metrics', new Date()));
  const idleMs = performance.now() - idleStarted;
  const idleRru = meter.totals.readUnits - idleReadings.readUnits;
  const runsPerMonth = 30 * 24 * 12;
  const idleMonthly =
    runsPerMonth *
    (idleRru * PRICE.rru +
      PRICE.lambdaRequest +
      gbSecondsAt(split(idleMs), FUNCTIONS['collect-metrics'].memoryMB) * PRICE.gbSecond);
  rows.push({
    benchmark: 'requests',
    measure: 'idle metrics run: DynamoDB requests / read units',
    crier: `${count(total(dynamo.counts))} / ${count(idleRru, 1)}`,
    baseline: '-',
    note: `every five minutes whatever the posts (a query a shard): about $${idleMonthly.toFixed(2)} a month`,
  });

  // One idle tick: what the schedule costs every minute, articles or not.
  dynamo.reset();
  const idle = snapshot(meter.totals);
  const started = performance.now();
  await stack.invoke('dispatch-due', scheduledEvent('dispatch-due', new Date()));
  const tickMs = performance.now() - started;
  const tickRru = meter.totals.readUnits - idle.readUnits;
  const ticksPerMonth = 30 * 24 * 60;
  const tickMonthly =
    ticksPerMonth *
    (tickRru * PRICE.rru +
      PRICE.lambdaRequest +
      gbSecondsAt(split(tickMs), FUNCTIONS['dispatch-due'].memoryMB) * PRICE.gbSecond);
  rows.push({
    benchmark: 'requests',
    measure: 'idle dispatch tick: DynamoDB requests / read units',
    crier: `${count(total(dynamo.counts))} / ${count(tickRru, 1)}`,
    baseline: '-',
    note: `every minute whatever the articles: about $${tickMonthly.toFixed(2)} a month`,
  });
} finally {
  await stack.dispose();
  clearInterval(sampler);
  await Promise.all([dynamo.stop(), sqs.stop(), s3.stop()]);
}
report(rows);
