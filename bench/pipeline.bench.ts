/**
 * The pipeline on the local stack (a 1 s tick, the eight sandbox networks):
 * - latency: webhook accepted (its 202) -> the article's last sandbox post, article by
 *   article, against the transport's floor in the same run: a message through two SQS
 *   queues (compose, then publish) with long-polling consumers on the same emulator;
 * - precision: |sandbox receivedAt - share dueAt| for shares due a few seconds ahead
 *   (an embargo, `shareAt`), against a bare SQS message sent with DelaySeconds for the
 *   same wait: what any queue-delayed scheduler gets from the transport.
 * Run: npx tsx bench/pipeline.bench.ts [--quick]
 */
import type { LogEntry } from '../infra/local/logger';
import { loadChannelsConfig } from '../shared/config/channels';
import { type BenchRow, ms, percentile, QUICK, report, sleep } from './support/report';
import {
  type ApiShare,
  benchQueue,
  finalShares,
  type SandboxPost,
  sandboxPosts,
  send,
  sendArticle,
  startBenchStack,
} from './support/stack';

const LATENCY_ARTICLES = QUICK ? 5 : 20;
const PRECISION_ARTICLES = QUICK ? 3 : 8;
const PACE_MS = 3_100;
const CHANNELS = loadChannelsConfig(undefined).channels.length;
const run = Date.now().toString(36);

delete process.env.CRIER_SANDBOX_FAULTS;
// The runtime's own log lines (the pollers' batch starts and ends), kept for the stages.
const entries: LogEntry[] = [];
const stack = await startBenchStack({ tickSeconds: 1, logSink: (entry) => entries.push(entry) });
const rows: BenchRow[] = [];
try {
  // Warm up: the handlers' modules load at their first invocation, as after a deploy.
  const warm = await sendArticle(stack, `bench-${run}-warm`);
  await finalShares(stack, warm.articleId);

  // --- latency -----------------------------------------------------------------------
  const latencies: number[] = [];
  const articleIds: string[] = [];
  const runs: ArticleRun[] = [];
  // One article every PACE_MS at most: Telegram (and its sandbox) take 20 posts a minute
  // in one channel and answer the 21st with a 40-second `retry after`, which would be the
  // p99 of a faster run rather than the pipeline's.
  let lastSent = Date.now();
  for (let i = 0; i < LATENCY_ARTICLES; i++) {
    await sleep(Math.max(0, lastSent + PACE_MS - Date.now()));
    const before = (await sandboxPosts(stack)).length;
    const sentAt = Date.now();
    lastSent = sentAt;
    const { articleId, acceptedAt } = await sendArticle(stack, `bench-${run}-latency-${i}`);
    articleIds.push(articleId);
    const deadline = Date.now() + 60_000;
    let posts = await sandboxPosts(stack);
    while (posts.length < before + CHANNELS && Date.now() < deadline) {
      await sleep(20);
      posts = await sandboxPosts(stack);
    }
    const last = Math.max(...posts.slice(before).map((p) => Date.parse(p.receivedAt)));
    latencies.push(last - acceptedAt);
    runs.push({ articleId, sentAt, acceptedAt, posts: posts.slice(before), shares: [] });
  }
  let unpublished = 0;
  for (const each of runs) {
    each.shares = await finalShares(stack, each.articleId);
    unpublished += each.shares.filter((s) => s.status !== 'published').length;
  }

  const floors: number[] = [];
  let hopStarted = 0;
  let hopDone: () => void = () => {};
  const second = await benchQueue(stack, `bench-${run}-hop-2`, (_, at) => {
    floors.push(at - hopStarted);
    hopDone();
  });
  const first = await benchQueue(stack, `bench-${run}-hop-1`, (body) =>
    send(stack, second.url, body),
  );
  for (let i = 0; i < LATENCY_ARTICLES; i++) {
    const done = new Promise<void>((resolve) => {
      hopDone = resolve;
    });
    hopStarted = Date.now();
    await send(stack, first.url, `hop ${i}`);
    await done;
  }
  first.stop();
  second.stop();

  for (const p of [50, 99]) {
    const crier = percentile(latencies, p);
    const floor = percentile(floors, p);
    rows.push({
      benchmark: 'pipeline',
      measure: `webhook 202 -> all ${CHANNELS} posts, p${p} (${LATENCY_ARTICLES} articles)`,
      crier: ms(crier),
      baseline: ms(floor),
      ratio: crier / floor,
      note: `two SQS hops with long-polling consumers, same emulator${p === 99 && unpublished ? `; ${unpublished} shares not published` : ''}`,
    });
  }

  rows.push(...stageRows(runs, entries));

  // --- precision ---------------------------------------------------------------------
  const sent: string[] = [];
  for (let i = 0; i < PRECISION_ARTICLES; i++) {
    const shareAt = new Date(Date.now() + 5_000 + Math.random() * 4_000).toISOString();
    sent.push((await sendArticle(stack, `bench-${run}-precision-${i}`, { shareAt })).articleId);
  }
  const posts = await (async () => {
    for (const articleId of sent) await finalShares(stack, articleId);
    return sandboxPosts(stack);
  })();
  const errors: number[] = [];
  // Where a due share's error comes from: its claim's lateness, then the network call.
  const sentLate: number[] = [];
  const claimLate: number[] = [];
  const claimToPost: number[] = [];
  for (const articleId of sent) {
    for (const share of await finalShares(stack, articleId)) {
      const post = posts.find(
        (p) => p.remoteId === share.remoteId && p.platform === share.platform,
      );
      if (!post) continue;
      errors.push(Math.abs(Date.parse(post.receivedAt) - Date.parse(share.dueAt)));
      const sent = share.history.find((entry) => entry.event === 'enqueue');
      if (sent) sentLate.push(Date.parse(sent.at) - Date.parse(share.dueAt));
      const claim = share.history.findLast((entry) => entry.event === 'start');
      if (claim) {
        claimLate.push(Date.parse(claim.at) - Date.parse(share.dueAt));
        claimToPost.push(Date.parse(post.receivedAt) - Date.parse(claim.at));
      }
    }
  }

  const delayed: number[] = [];
  const targets = new Map<string, number>();
  const delayQueue = await benchQueue(stack, `bench-${run}-delay`, (body, at) => {
    const target = targets.get(body);
    if (target !== undefined) delayed.push(Math.abs(at - target));
  });
  const samples = errors.length || PRECISION_ARTICLES * CHANNELS;
  for (let i = 0; i < samples; i++) {
    const target = Date.now() + 5_000 + Math.random() * 4_000;
    targets.set(`delay ${i}`, target);
    await send(stack, delayQueue.url, `delay ${i}`, Math.ceil((target - Date.now()) / 1000));
  }
  const deadline = Date.now() + 30_000;
  while (delayed.length < samples && Date.now() < deadline) await sleep(100);
  delayQueue.stop();

  for (const p of [50, 99]) {
    const crier = percentile(errors, p);
    const bare = percentile(delayed, p);
    rows.push({
      benchmark: 'pipeline',
      measure: `|receivedAt - dueAt|, p${p} (${errors.length} shares due 5-9 s ahead)`,
      crier: ms(crier),
      baseline: ms(bare),
      ratio: crier / bare,
      note: 'a bare SQS message with DelaySeconds for the same wait',
    });
  }
  for (const [stage, values] of [
    ['due share: dueAt -> compose sends it (negative: ahead of time)', sentLate],
    ['due share: dueAt -> its claim', claimLate],
    ['due share: claim -> sandbox post', claimToPost],
  ] as const) {
    rows.push({
      benchmark: 'pipeline',
      measure: `stage: ${stage}`,
      crier: `${ms(percentile(values, 50))} / ${ms(percentile(values, 99))}`,
      baseline: '',
      note: `p50 / p99 of ${values.length}`,
    });
  }
} finally {
  await stack.dispose();
}
report(rows);

type ArticleRun = {
  articleId: string;
  sentAt: number;
  acceptedAt: number;
  posts: SandboxPost[];
  shares: ApiShare[];
};

/**
 * Where the time goes, stage by stage, from what the pipeline records anyway: the local
 * pollers' batch lines (debug and info, in the runtime's log) and each share's history,
 * whose entries carry their times. Articles run one at a time, so the log lines between
 * one article's webhook and the next one's belong to it. A publish invocation's lines
 * name SQS message ids, not shares: they are paired with the shares' claims in time order.
 */
function stageRows(runs: readonly ArticleRun[], log: readonly LogEntry[]): BenchRow[] {
  const stages = new Map<string, number[]>();
  const add = (stage: string, value: number) => {
    if (Number.isFinite(value)) stages.set(stage, [...(stages.get(stage) ?? []), value]);
  };
  const at = (entry: { time: string } | { at: string }) =>
    Date.parse('time' in entry ? entry.time : entry.at);
  const batchLines = (fn: string, event: string, from: number, to: number) =>
    log.filter(
      (entry) =>
        entry.function === fn && entry.event === event && at(entry) >= from && at(entry) < to,
    );
  const ended = (started: LogEntry) => {
    const first = Array.isArray(started.messages) ? started.messages[0] : undefined;
    return log.find(
      (entry) =>
        entry.function === started.function &&
        (entry.event === 'poller.batch-done' || entry.event === 'poller.batch-partly-failed') &&
        Array.isArray(entry.messages) &&
        entry.messages[0] === first,
    );
  };
  runs.forEach((each, index) => {
    const until = runs[index + 1]?.sentAt ?? Number.POSITIVE_INFINITY;
    const event = (share: ApiShare, name: string) => {
      const entry = share.history.find((h) => h.event === name);
      return entry ? at(entry) : Number.NaN;
    };
    const composeStart = batchLines(
      'compose-article',
      'poller.batch-started',
      each.sentAt,
      until,
    )[0];
    const composeEnd = composeStart && ended(composeStart);
    const enqueued = each.shares.map((share) => event(share, 'enqueue'));
    const claims = each.shares.map((share) => event(share, 'start')).sort((a, b) => a - b);
    const publishStarts = batchLines('publish-share', 'poller.batch-started', each.sentAt, until)
      .map(at)
      .sort((a, b) => a - b);
    add('webhook sent -> 202 (ingest, stored and sent to compose)', each.acceptedAt - each.sentAt);
    if (composeStart) {
      add('202 -> compose invocation starts', at(composeStart) - each.acceptedAt);
      add('compose starts -> last share sent to publish', Math.max(...enqueued) - at(composeStart));
    }
    if (composeEnd) add('compose invocation, whole', Number(composeEnd.durationMs));
    for (const [i, share] of each.shares.entries()) {
      const post = each.posts.find(
        (p) => p.remoteId === share.remoteId && p.platform === share.platform,
      );
      const claim = event(share, 'start');
      const sent = enqueued[i] ?? Number.NaN;
      add('share sent -> its claim (SQS hop and publish reads)', claim - sent);
      // The claim that posted: a retried share's last one.
      const posting = share.history.findLast((h) => h.event === 'start');
      if (post && posting) {
        add(`claim -> sandbox post, ${share.platform}`, Date.parse(post.receivedAt) - at(posting));
        add(
          'sandbox post -> recorded published',
          event(share, 'succeed') - Date.parse(post.receivedAt),
        );
      }
    }
    // Paired in time order: the n-th publish invocation to start made the n-th claim.
    claims.forEach((claim, i) => {
      const started = publishStarts[i];
      if (started !== undefined) add('publish invocation starts -> claim (reads)', claim - started);
    });
    const sentLast = [...enqueued].sort((a, b) => a - b);
    publishStarts.forEach((started, i) => {
      const sent = sentLast[i];
      if (sent !== undefined)
        add('share sent -> publish invocation starts (SQS hop)', started - sent);
    });
    const last = Math.max(...each.posts.map((p) => Date.parse(p.receivedAt)));
    add('last share sent -> last post', last - Math.max(...enqueued));
  });
  return [...stages].map(([stage, values]) => ({
    benchmark: 'pipeline',
    measure: `stage: ${stage}`,
    crier: `${ms(percentile(values, 50))} / ${ms(percentile(values, 99))}`,
    baseline: '',
    note: `p50 / p99 of ${values.length}`,
  }));
}
