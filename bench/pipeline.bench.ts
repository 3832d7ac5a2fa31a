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
import { loadChannelsConfig } from '../shared/config/channels';
import { type BenchRow, ms, percentile, QUICK, report, sleep } from './support/report';
import {
  benchQueue,
  finalShares,
  sandboxPosts,
  send,
  sendArticle,
  startBenchStack,
} from './support/stack';

const LATENCY_ARTICLES = QUICK ? 5 : 20;
const PRECISION_ARTICLES = QUICK ? 3 : 8;
const CHANNELS = loadChannelsConfig(undefined).channels.length;
const run = Date.now().toString(36);

delete process.env.CRIER_SANDBOX_FAULTS;
const stack = await startBenchStack({ tickSeconds: 1 });
const rows: BenchRow[] = [];
try {
  // Warm up: the handlers' modules load at their first invocation, as after a deploy.
  const warm = await sendArticle(stack, `bench-${run}-warm`);
  await finalShares(stack, warm.articleId);

  // --- latency -----------------------------------------------------------------------
  const latencies: number[] = [];
  const articleIds: string[] = [];
  for (let i = 0; i < LATENCY_ARTICLES; i++) {
    const before = (await sandboxPosts(stack)).length;
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
  }
  let unpublished = 0;
  for (const articleId of articleIds) {
    unpublished += (await finalShares(stack, articleId)).filter(
      (s) => s.status !== 'published',
    ).length;
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
  for (const articleId of sent) {
    for (const share of await finalShares(stack, articleId)) {
      const post = posts.find(
        (p) => p.remoteId === share.remoteId && p.platform === share.platform,
      );
      if (post) errors.push(Math.abs(Date.parse(post.receivedAt) - Date.parse(share.dueAt)));
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
} finally {
  await stack.dispose();
}
report(rows);
