/**
 * The chaos run: many articles through a running local stack while its sandbox networks
 * misbehave, webhooks arrive twice and out of order, and extra publish workers are killed
 * with SIGKILL in the middle of a batch. Then it counts, per network, what was expected,
 * posted, posted twice, lost, failed or parked, from the sandboxes' own record of posts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Channel } from '../../../shared/domain/channel';
import type { Platform } from '../../../shared/domain/platform';
import { isFinal, type ShareStatus } from '../../../shared/domain/share-state';
import { signStandardWebhook } from '../../../shared/ingest/standard-webhooks';
import { sendWebhook as sendSignedWebhook } from '../webhook-sender';

export type ChaosOptions = {
  /** the running stack's base URL */
  url: string;
  /** its data folder, where extra workers find its runtime file */
  dataDir: string;
  webhookSecret: string;
  editorToken: string;
  channels: readonly Channel[];
  articles: number;
  /** CRIER_SANDBOX_FAULTS syntax, set for the run and cleared after it */
  faults: string;
  /** extra publish workers in processes of their own, killed and restarted; 0 = none */
  workers: number;
  /** the chance that a worker is killed when it starts a batch */
  killChance: number;
  /** how long to wait for every share to settle */
  settleTimeoutMs: number;
  /** progress lines */
  say?: (line: string) => void;
  random?: () => number;
};

export type NetworkRow = {
  platform: Platform;
  expected: number;
  posted: number;
  duplicates: number;
  lost: number;
  failed: number;
  cancelled: number;
  parked: number;
  reasons: string[];
};

export type ChaosReport = {
  run: string;
  articles: number;
  deliveries: number;
  killed: number;
  rows: NetworkRow[];
  /** shares not settled when the wait ended, as `articleId/channelId: status` */
  unsettled: string[];
  ok: boolean;
};

type ShareView = {
  channelId: string;
  platform: Platform;
  status: ShareStatus;
  remoteId?: string | null;
  lastError?: string | null;
};

type SandboxPost = {
  platform: Platform;
  remoteId: string;
  inReplyToId: string | null;
  text: string;
};

const WORKER = fileURLToPath(new URL('../worker.ts', import.meta.url));
const PARKED = 'parked for an editor';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A settled share: final, or parked `unknown` where the network offers no way to look. */
export function isSettled(share: ShareView): boolean {
  return (
    isFinal(share.status) ||
    (share.status === 'unknown' && (share.lastError ?? '').startsWith(PARKED))
  );
}

const HEADLINES = [
  'Council approves “new” budget after a long night',
  'Floods: what we know so far — and what we don’t',
  'Élections régionales : les résultats commune par commune',
  'Выборы: явка превысила ожидания',
  '東京の新しい予算案、議会で可決',
  'Vote 🗳️ today: a guide to every ballot question 👍🏽',
  'Transport strike & the 5 routes still running',
  'Interview: “I didn’t expect this,” says the mayor',
];

/** The article of index n: its token in the title finds its posts on every network. */
function article(run: string, n: number, revision: number) {
  const token = `C${run}N${String(n).padStart(4, '0')}`;
  const headline = HEADLINES[n % HEADLINES.length] ?? 'News';
  return {
    token,
    body: {
      id: `chaos-${run}-${n}`,
      url: `https://chaos.crier.example/${run}/${n}?utm_campaign=x#top`,
      title: `${token} ${headline}${revision > 1 ? ' (updated)' : ''}`,
      summary: 'A chaos-run article: the same text on every network, once.',
      publishedAt: new Date(Date.now() - 60_000).toISOString(),
      section: n % 2 ? 'Politics' : 'Latin America',
      tags: ['chaos', `run ${run}`],
      revision,
    },
  };
}

type Delivery = { id: string; body: string };

/** How each article is delivered: once, twice, under two ids, out of order, at once. */
function deliveriesFor(run: string, n: number, random: () => number): Delivery[][] {
  const make = (revision: number, id = `msg_${randomUUID()}`): Delivery => ({
    id,
    body: JSON.stringify(article(run, n, revision).body),
  });
  const pattern = n % 5;
  if (pattern === 0) return [[make(1)]];
  if (pattern === 1) {
    const once = make(1);
    return [[once], [once]];
  }
  if (pattern === 2) return [[make(1)], [make(1)]];
  if (pattern === 3) return [[make(2)], [make(1)]];
  // The same delivery twice at the same moment, then a late revision 1.
  const same = make(2);
  return random() < 0.5 ? [[same, same], [make(1)]] : [[same, same]];
}

async function sendWebhook(
  options: ChaosOptions,
  delivery: Delivery,
): Promise<{ status: number; articleId?: string }> {
  // A CMS retries what was not acknowledged (a 5xx, a 429, no answer), with the same
  // webhook-id, as the documented senders do.
  const answer = await sendSignedWebhook({
    url: new URL('/webhooks/generic', options.url),
    body: delivery.body,
    sign: () => {
      const timestamp = Math.floor(Date.now() / 1000);
      return {
        'webhook-id': delivery.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(
          options.webhookSecret,
          delivery.id,
          timestamp,
          delivery.body,
        ),
      };
    },
    policy: { attempts: 6, baseMs: 500, maxMs: 16_000 },
  });
  const parsed: unknown = answer.status === 202 ? JSON.parse(answer.body) : undefined;
  const articleId =
    typeof parsed === 'object' && parsed !== null && 'articleId' in parsed
      ? String(parsed.articleId)
      : undefined;
  return { status: answer.status, articleId };
}

async function api<T>(options: ChaosOptions, path: string): Promise<T | undefined> {
  const response = await fetch(new URL(path, options.url), {
    headers: { authorization: `Bearer ${options.editorToken}` },
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

async function setFaults(options: ChaosOptions, spec: string): Promise<void> {
  const response = await fetch(new URL('/sandbox/faults', options.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ faults: spec }),
  });
  if (!response.ok) {
    throw new Error(`POST /sandbox/faults answered ${response.status}: ${await response.text()}`);
  }
}

/** Extra publish workers, each killed with SIGKILL at the start of a batch now and then. */
class WorkerPool {
  killed = 0;
  private readonly children = new Set<ChildProcess>();
  private stopping = false;

  constructor(private readonly options: ChaosOptions) {}

  start(): void {
    for (let i = 0; i < this.options.workers; i += 1) this.spawn();
  }

  private spawn(): void {
    if (this.stopping) return;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER, '--data-dir', this.options.dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CRIER_LOG_FORMAT: 'json' } },
    );
    this.children.add(child);
    const random = this.options.random ?? Math.random;
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.includes('"poller.batch-started"')) return;
        if (random() >= this.options.killChance) return;
        // Somewhere between the claim, the network call and the record.
        setTimeout(() => {
          if (child.exitCode === null && child.kill('SIGKILL')) this.killed += 1;
        }, random() * 400);
      });
    }
    child.stderr?.resume();
    child.on('exit', () => {
      this.children.delete(child);
      if (!this.stopping) setTimeout(() => this.spawn(), 200);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const exits = [...this.children].map(
      (child) => new Promise<void>((resolve) => child.once('exit', () => resolve())),
    );
    for (const child of this.children) child.kill('SIGTERM');
    await Promise.race([Promise.all(exits), sleep(10_000)]);
    for (const child of this.children) child.kill('SIGKILL');
  }
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const random = options.random ?? Math.random;
  const say = options.say ?? (() => {});
  const run = randomBytes(3).toString('hex').toUpperCase();
  const pool = new WorkerPool(options);
  await setFaults(options, options.faults);
  pool.start();
  let deliveries = 0;
  const articleIds = new Map<number, string>();
  try {
    // Every article's deliveries in order, articles interleaved, a few at a time.
    const queue = shuffle(
      Array.from({ length: options.articles }, (_, n) => n),
      random,
    );
    say(`run ${run}: sending ${options.articles} articles with faults ${options.faults || 'none'}`);
    const senders = Array.from({ length: 4 }, async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        for (const step of deliveriesFor(run, n, random)) {
          const answers = await Promise.all(step.map((d) => sendWebhook(options, d)));
          deliveries += step.length;
          for (const answer of answers) {
            if (answer.status !== 202 || !answer.articleId) {
              throw new Error(`article ${n}: the webhook answered ${answer.status}`);
            }
            const known = articleIds.get(n);
            if (known && known !== answer.articleId) {
              throw new Error(`article ${n} was answered as ${known} and ${answer.articleId}`);
            }
            articleIds.set(n, answer.articleId);
          }
        }
      }
    });
    await Promise.all(senders);

    say(`sent ${deliveries} deliveries; waiting for every share to settle`);
    const deadline = Date.now() + options.settleTimeoutMs;
    let unsettled: string[] = [];
    while (Date.now() < deadline) {
      unsettled = await unsettledShares(options, articleIds);
      if (unsettled.length === 0) break;
      await sleep(1000);
    }
    await pool.stop();
    await setFaults(options, '');
    const rows = await count(options, run, articleIds);
    const ok = unsettled.length === 0 && rows.every((r) => r.duplicates === 0 && r.lost === 0);
    return {
      run,
      articles: options.articles,
      deliveries,
      killed: pool.killed,
      rows,
      unsettled,
      ok,
    };
  } finally {
    await pool.stop();
  }
}

/** Each article's shares as the editor API shows them, by the article's index. */
async function runShares(options: ChaosOptions, articleIds: ReadonlyMap<number, string>) {
  const found = new Map<number, ShareView[]>();
  for (const [n, articleId] of articleIds) {
    const detail = await api<{ shares: ShareView[] }>(
      options,
      `/api/articles/${encodeURIComponent(articleId)}`,
    );
    if (detail) found.set(n, detail.shares);
  }
  return found;
}

async function unsettledShares(
  options: ChaosOptions,
  articleIds: ReadonlyMap<number, string>,
): Promise<string[]> {
  const found = await runShares(options, articleIds);
  const unsettled: string[] = [];
  for (let n = 0; n < options.articles; n += 1) {
    const shares = found.get(n) ?? [];
    for (const channel of options.channels) {
      const share = shares.find((s) => s.channelId === channel.id);
      if (!share) unsettled.push(`article ${n}/${channel.id}: no share`);
      else if (!isSettled(share)) unsettled.push(`article ${n}/${channel.id}: ${share.status}`);
    }
  }
  return unsettled;
}

async function count(
  options: ChaosOptions,
  run: string,
  articleIds: ReadonlyMap<number, string>,
): Promise<NetworkRow[]> {
  const found = await runShares(options, articleIds);
  const posts = (await (
    await fetch(new URL('/sandbox/posts', options.url))
  ).json()) as SandboxPost[];
  const rows = new Map<Platform, NetworkRow>();
  for (const channel of options.channels) {
    const row = rows.get(channel.platform) ?? {
      platform: channel.platform,
      expected: 0,
      posted: 0,
      duplicates: 0,
      lost: 0,
      failed: 0,
      cancelled: 0,
      parked: 0,
      reasons: [],
    };
    rows.set(channel.platform, row);
    for (let n = 0; n < options.articles; n += 1) {
      row.expected += 1;
      const token = `C${run}N${String(n).padStart(4, '0')}`;
      const roots = posts.filter(
        (p) => p.platform === channel.platform && p.inReplyToId === null && p.text.includes(token),
      );
      const share = found.get(n)?.find((s) => s.channelId === channel.id);
      if (roots.length > 1) row.duplicates += roots.length - 1;
      if (roots.length > 0) row.posted += 1;
      const reason = share?.lastError ? `${share.status}: ${share.lastError}` : undefined;
      if (!share) {
        row.lost += 1;
        row.reasons.push(`article ${n}: no share`);
      } else if (share.status === 'published') {
        // Published in the table, and the very post the share records is on the network.
        if (!roots.some((p) => p.remoteId === share.remoteId)) {
          row.lost += 1;
          row.reasons.push(`article ${n}: published as ${share.remoteId}, not on the network`);
        }
      } else if (share.status === 'failed') {
        row.failed += 1;
      } else if (share.status === 'cancelled') {
        row.cancelled += 1;
      } else if (isSettled(share)) {
        row.parked += 1;
      } else {
        row.lost += 1;
        row.reasons.push(`article ${n}: still ${share.status}`);
      }
      if (reason && share?.status !== 'published') row.reasons.push(`article ${n}: ${reason}`);
    }
  }
  return [...rows.values()];
}

/** The report as the table `npm run chaos` prints. */
export function formatReport(report: ChaosReport): string {
  const header = [
    'network',
    'expected',
    'posted',
    'duplicates',
    'lost',
    'failed',
    'cancelled',
    'parked unknown',
  ];
  const lines = report.rows.map((r) =>
    [r.platform, r.expected, r.posted, r.duplicates, r.lost, r.failed, r.cancelled, r.parked].map(
      String,
    ),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  const reasons = report.rows.flatMap((r) =>
    summarize(r.reasons).map((line) => `  ${r.platform}: ${line}`),
  );
  return [
    `chaos run ${report.run}: ${report.articles} articles, ${report.deliveries} webhook deliveries, ${report.killed} workers killed mid-batch`,
    '',
    row(header),
    row(widths.map((w) => '-'.repeat(w))),
    ...lines.map(row),
    '',
    ...(reasons.length ? ['reasons:', ...reasons, ''] : []),
    ...(report.unsettled.length
      ? [
          `not settled in time (${report.unsettled.length}):`,
          ...report.unsettled.slice(0, 20).map((u) => `  ${u}`),
          '',
        ]
      : []),
    report.ok
      ? 'OK: no duplicates, nothing lost.'
      : 'FAILED: duplicates, lost or unsettled shares above.',
  ].join('\n');
}

/** The same reason for many articles, once, with how many. */
function summarize(reasons: string[]): string[] {
  const counts = new Map<string, number>();
  for (const reason of reasons) {
    const key = reason.replace(/^article \d+: /, '');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([reason, n]) => (n > 1 ? `${reason} (x${n})` : reason));
}
