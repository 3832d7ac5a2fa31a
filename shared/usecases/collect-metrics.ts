/**
 * The metrics collector: each run reads the published posts whose reading is due (the
 * metrics index, keys only, shard by shard) and no others, so a run costs what is due,
 * never the table. Each post's counts are read from its network, stored as a point of its
 * time series, put on the share as its latest reading, and its next reading scheduled.
 * A channel whose token is dead, or whose network rate limited it, keeps its readings due
 * for a later run; each channel takes a bounded number of readings a run, so readings
 * never use up what publishing needs of a network's limits; X's reads, which cost money,
 * are counted against the channel's monthly budget.
 */
import { siteOf } from '../domain/article';
import type { Channel } from '../domain/channel';
import { mapLimited } from '../domain/map-limited';
import type { Reading, ReadingEvent } from '../domain/metrics';
import type {
  ArticleRecord,
  ArticleStore,
  ChannelStateStore,
  Clock,
  CredentialsProvider,
  ShareStore,
} from '../domain/ports';
import {
  type DueReading,
  nextReading,
  postedAtOf,
  READS_PER_RUN,
  type ReadingState,
  type ReadingsIndex,
  readingMonth,
  readingOffReason,
  roundAt,
} from '../domain/readings';
import type { Share } from '../domain/share';
import type { MetricsOutcome, NetworkClient } from '../platforms/client';
import type { ShareOf } from '../store/metrics-store';
import type { SessionGate } from './session-gate';
import type { TokenKeeper } from './token-keeper';

/** Where each reading is kept (shared/store/metrics-store.ts). */
export type ReadingsStore = { putReading(share: ShareOf, reading: Reading): Promise<void> };

export type CollectMetricsDeps = {
  shares: Pick<ShareStore, 'get' | 'replace'>;
  index: ReadingsIndex;
  readingState: ReadingState;
  readings: ReadingsStore;
  articles: Pick<ArticleStore, 'get'>;
  channelState: Pick<ChannelStateStore, 'get' | 'saveSession'>;
  credentials: CredentialsProvider;
  /** every channel, archived ones included: a past post is still read */
  channels: readonly Channel[];
  clientFor: (
    platform: Share['platform'],
  ) => NetworkClient | undefined | Promise<NetworkClient | undefined>;
  clock: Clock;
  /** CRIER_METRICS_AFTER, in milliseconds, ascending */
  offsetsMs: readonly number[];
  /** each network call must answer within this */
  networkTimeoutMs: number;
  shardCount: number;
  /** keeps OAuth tokens alive, as publishing does; none: credentials are used as read */
  tokens?: Pick<TokenKeeper, 'fresh'>;
  /** one password login at a time per channel (Bluesky) */
  sessions?: Pick<SessionGate, 'for'>;
  /**
   * Told of each reading once it is stored (the desk's figures, the best-time estimate).
   * A failure here is logged and never undoes or repeats the reading.
   */
  onReading?: (event: ReadingEvent) => unknown;
  log?: (
    level: 'info' | 'warn' | 'error',
    message: string,
    fields: Record<string, unknown>,
  ) => void;
  limits?: Partial<CollectLimits>;
};

export type CollectLimits = {
  /** index keys asked for per query */
  pageSize: number;
  /** the most index keys one run looks at per shard (keys of waiting channels included) */
  keysPerShard: number;
  /** the most readings one run takes, all channels together */
  readsPerRun: number;
  /** readings taken side by side */
  concurrency: number;
  /** no reading starts after this long into the run */
  budgetMs: number;
  /** the most readings one channel takes per run; by default READS_PER_RUN */
  perChannel?: (channel: Channel) => number;
};

const DEFAULT_LIMITS: CollectLimits = {
  pageSize: 100,
  keysPerShard: 1000,
  readsPerRun: 400,
  concurrency: 8,
  // Within the function's 50 s, leaving one network timeout for the last readings.
  budgetMs: 25_000,
};

/** A failed reading is tried again after 5, 10, 20 minutes, then given up for that age. */
const RETRY_MS = 5 * 60_000;
export const MAX_READING_TRIES = 3;

export type CollectReport = {
  /** readings taken and stored */
  read: number;
  /** left due for a later run: the channel waits (dead token, rate limit, its share of the run) */
  postponed: number;
  /** readings that failed this time (tried again later) or whose step threw */
  failed: number;
  /** readings not taken for good (budget spent, refused), the share moved to its next age */
  skipped: number;
  /** posts no longer read (gone, withdrawn, no counts on the network) */
  stopped: number;
};

/**
 * What becomes of the share after one answer of its network: pure, so each decision is
 * tested apart from the stores.
 */
export type ReadingDecision =
  /** store the reading; `next` is the share's next reading, or none after the last */
  | { kind: 'record'; reading: Reading; offsetIndex: number; final: boolean; patch: Partial<Share> }
  /** this age is not read (a reason for the editors); on to the next one */
  | { kind: 'skip'; patch: Partial<Share> }
  /** no more readings of this post */
  | { kind: 'stop'; patch: Partial<Share> }
  /** try this age again later */
  | { kind: 'retry'; patch: Partial<Share> }
  /** the network refused the channel's reads until `until`: the share stays due */
  | { kind: 'pause'; until: string }
  /** the token was refused: refresh and try once more, or the channel waits */
  | { kind: 'auth'; message: string };

/** The share's fields once the reading at `round` is done (or given up). */
function advance(
  share: Share,
  offsetsMs: readonly number[],
  round: number,
  now: Date,
): Partial<Share> {
  const next = nextReading(postedAtOf(share), offsetsMs, round, now);
  return {
    metricsDueAt: next?.metricsDueAt,
    metricsRound: next?.metricsRound,
    metricsTries: undefined,
  };
}

/** The decision for one network answer about `share`, read at `now`. */
export function decideReading(
  share: Share,
  outcome: MetricsOutcome,
  now: Date,
  offsetsMs: readonly number[],
): ReadingDecision {
  const round = share.metricsRound ?? 0;
  switch (outcome.kind) {
    case 'read': {
      const reading: Reading = { ...outcome.counts, collectedAt: now.toISOString() };
      const offsetIndex = roundAt(postedAtOf(share), offsetsMs, round, now);
      const patch: Partial<Share> = {
        metrics: reading,
        metricsSkipped: undefined,
        ...advance(share, offsetsMs, offsetIndex, now),
      };
      return { kind: 'record', reading, offsetIndex, final: !patch.metricsDueAt, patch };
    }
    case 'gone':
      return {
        kind: 'stop',
        patch: {
          metricsDueAt: undefined,
          metricsRound: undefined,
          metricsTries: undefined,
          metricsSkipped: `no longer read: the post is gone from ${share.platform} (${outcome.message})`,
        },
      };
    case 'auth':
      if (!outcome.permission) return { kind: 'auth', message: outcome.message };
      // The token is alive but lacks a permission: until someone grants it, each age is
      // tried once and noted.
      return {
        kind: 'skip',
        patch: {
          ...advance(share, offsetsMs, round, now),
          metricsSkipped: `not read: a permission is missing: ${outcome.message}`,
        },
      };
    case 'rejected':
      return {
        kind: 'skip',
        patch: {
          ...advance(share, offsetsMs, round, now),
          metricsSkipped: `not read: ${share.platform} refused: ${outcome.message}`,
        },
      };
    case 'retry': {
      const tries = (share.metricsTries ?? 0) + 1;
      if (tries >= MAX_READING_TRIES) {
        return {
          kind: 'skip',
          patch: {
            ...advance(share, offsetsMs, round, now),
            metricsSkipped: `not read after ${tries} tries: ${outcome.message}`,
          },
        };
      }
      const wait = RETRY_MS * 2 ** (tries - 1);
      return {
        kind: 'retry',
        patch: { metricsTries: tries, metricsDueAt: new Date(now.getTime() + wait).toISOString() },
      };
    }
    case 'rate':
      return { kind: 'pause', until: outcome.until };
  }
}

/** Why a channel's readings wait this run; undefined: they may go on. */
type ChannelGate = {
  waiting?: string;
  taken: number;
  cap: number;
  credentials?: Promise<{ credentials: unknown } | { waiting: string }>;
  /** the channel's session as its state held it at the run's start, then as rotated */
  session?: string;
};

type Run = {
  deps: CollectMetricsDeps;
  limits: CollectLimits;
  now: Date;
  startedAt: number;
  report: CollectReport;
  gates: Map<string, Promise<ChannelGate>>;
  articles: Map<string, Promise<ArticleRecord | undefined>>;
};

/** One run: every shard's due readings, within the run's bounds. */
export async function collectMetrics(deps: CollectMetricsDeps): Promise<CollectReport> {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const run: Run = {
    deps,
    limits,
    now: deps.clock.now(),
    startedAt: Date.now(),
    report: { read: 0, postponed: 0, failed: 0, skipped: 0, stopped: 0 },
    gates: new Map(),
    articles: new Map(),
  };
  const shards = Array.from({ length: deps.shardCount }, (_, n) => n);
  // The shards' keys first (few reads, in parallel), then the readings, fairly across shards.
  const perShard = await Promise.all(shards.map((shard) => selectDue(run, shard)));
  const chosen = interleave(perShard).slice(0, limits.readsPerRun);
  run.report.postponed += perShard.flat().length - chosen.length;
  await mapLimited(chosen, limits.concurrency, async (due) => {
    if (Date.now() - run.startedAt > limits.budgetMs) {
      run.report.postponed += 1;
      return;
    }
    try {
      await readOne(run, due);
    } catch (error) {
      run.report.failed += 1;
      deps.log?.('error', 'Reading failed', { share: refText(due), error: brief(error) });
    }
  });
  return run.report;
}

/** The shard's due readings this run may take: pages of keys, until enough or none left. */
async function selectDue(run: Run, shard: number): Promise<DueReading[]> {
  const { deps, limits } = run;
  const chosen: DueReading[] = [];
  let after: string | undefined;
  let seen = 0;
  do {
    const page = await deps.index.dueBy(shard, run.now.toISOString(), limits.pageSize, after);
    after = page.next;
    seen += page.due.length;
    for (const due of page.due) {
      const gate = await gateOf(run, due.channelId);
      if (gate.waiting || gate.taken >= gate.cap) {
        run.report.postponed += 1;
        continue;
      }
      gate.taken += 1;
      chosen.push(due);
    }
  } while (after && seen < limits.keysPerShard && chosen.length < limits.readsPerRun);
  return chosen;
}

/** The readings of all shards, one of each in turn. */
function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  for (let i = 0; lists.some((list) => i < list.length); i += 1) {
    for (const list of lists) if (i < list.length) out.push(list[i] as T);
  }
  return out;
}

/**
 * Whether the channel's readings go on this run, read once per run: its token is not
 * dead (health), and neither publishing's nor the readings' own rate limit holds.
 */
function gateOf(run: Run, channelId: string): Promise<ChannelGate> {
  let gate = run.gates.get(channelId);
  if (!gate) {
    gate = (async (): Promise<ChannelGate> => {
      const channel = run.deps.channels.find((c) => c.id === channelId);
      const cap = channel
        ? (run.limits.perChannel?.(channel) ?? READS_PER_RUN[channel.platform])
        : run.limits.readsPerRun;
      const now = run.now.toISOString();
      const [state, paused] = await Promise.all([
        run.deps.channelState.get(channelId),
        run.deps.readingState.pausedUntil(channelId),
      ]);
      if (state.health && ['failing', 'unconnected'].includes(state.health.status)) {
        return { waiting: `the channel is ${state.health.status}`, taken: 0, cap };
      }
      if (state.rateLimitedUntil && state.rateLimitedUntil > now) {
        return { waiting: `rate limited until ${state.rateLimitedUntil}`, taken: 0, cap };
      }
      if (paused && paused > now) {
        return { waiting: `reads rate limited until ${paused}`, taken: 0, cap };
      }
      return { taken: 0, cap, session: state.session };
    })();
    run.gates.set(channelId, gate);
  }
  return gate;
}

function articleOf(run: Run, articleId: string): Promise<ArticleRecord | undefined> {
  let record = run.articles.get(articleId);
  if (!record) {
    record = run.deps.articles.get(articleId);
    run.articles.set(articleId, record);
  }
  return record;
}

/** The channel's credentials, once per run: a token about to die is renewed first. */
function credentialsOf(
  run: Run,
  gate: ChannelGate,
  channel: Channel,
  force = false,
): Promise<{ credentials: unknown } | { waiting: string }> {
  if (!gate.credentials || force) {
    gate.credentials = (async () => {
      if (run.deps.tokens) {
        const kept = await run.deps.tokens
          .fresh(channel, force ? { force: true } : {})
          .catch(() => undefined);
        if (kept?.status === 'unrefreshable') return { waiting: kept.reason };
        const usable = kept?.status === 'fresh' || kept?.status === 'refreshed';
        if (usable && kept.credentials !== undefined) return { credentials: kept.credentials };
      }
      const credentials = await run.deps.credentials.get(channel);
      if (credentials === undefined) return { waiting: `no credentials for ${channel.id}` };
      return { credentials };
    })();
  }
  return gate.credentials;
}

async function readOne(run: Run, due: DueReading): Promise<void> {
  const { deps } = run;
  const share = await deps.shares.get(due);
  // The index lags the table a little: the share moved on since (read, withdrawn).
  if (share?.status !== 'published' || !share.metricsDueAt) return;
  if (share.metricsDueAt > run.now.toISOString()) return;

  const record = await articleOf(run, share.articleId);
  const channel = deps.channels.find((c) => c.id === share.channelId);
  const stopWhy = await stopReason(run, share, record, channel);
  if (stopWhy) {
    await write(run, share, {
      metricsDueAt: undefined,
      metricsRound: undefined,
      metricsTries: undefined,
      metricsSkipped: stopWhy,
    });
    run.report.stopped += 1;
    deps.log?.('info', 'Post no longer read', { share: refText(share), reason: stopWhy });
    return;
  }
  if (!channel || !record) return;
  const client = await deps.clientFor(share.platform);
  const metrics = client?.metrics?.bind(client);
  if (!metrics) return;

  const gate = await gateOf(run, channel.id);
  if (gate.waiting) {
    run.report.postponed += 1;
    return;
  }
  let access = await credentialsOf(run, gate, channel);
  if ('waiting' in access) return wait(run, gate, channel.id, access.waiting);
  // Counted just before the call: a read the budget refuses is never made.
  const budget = channel.metrics?.monthlyReads;
  if (budget !== undefined) {
    const month = readingMonth(run.now);
    if (!(await deps.readingState.takeRead(channel.id, month, budget))) {
      const decision = skipFor(
        share,
        run,
        `not read: the monthly budget of ${budget} reads is spent`,
      );
      await write(run, share, decision);
      run.report.skipped += 1;
      return;
    }
  }

  const call = async (credentials: unknown) => {
    let outcome: MetricsOutcome;
    try {
      outcome = await metrics({
        share,
        account: channel.account,
        credentials,
        session: gate.session,
        timeoutMs: deps.networkTimeoutMs,
        ...(deps.sessions ? { loginGate: deps.sessions.for(channel.id) } : {}),
      });
    } catch (error) {
      outcome = { kind: 'retry', message: `client error: ${brief(error).message}` };
    }
    if (outcome.session) {
      gate.session = outcome.session;
      await deps.channelState.saveSession(channel.id, outcome.session);
    }
    return outcome;
  };

  let outcome = await call(access.credentials);
  let decision = decideReading(share, outcome, deps.clock.now(), deps.offsetsMs);
  if (decision.kind === 'auth' && deps.tokens) {
    // The network called the token dead: refresh it once and ask again, as publishing does.
    access = await credentialsOf(run, gate, channel, true);
    if ('waiting' in access) return wait(run, gate, channel.id, access.waiting);
    outcome = await call(access.credentials);
    decision = decideReading(share, outcome, deps.clock.now(), deps.offsetsMs);
  }
  switch (decision.kind) {
    case 'auth':
      return wait(run, gate, channel.id, `token refused: ${decision.message}`);
    case 'pause':
      await deps.readingState.pause(channel.id, decision.until);
      return wait(run, gate, channel.id, `reads rate limited until ${decision.until}`);
    case 'record': {
      await deps.readings.putReading(share, decision.reading);
      run.report.read += 1;
      const written = await write(run, share, decision.patch);
      if (written && deps.onReading) {
        await tell(run, {
          siteId: siteOf(record.article),
          channelId: share.channelId,
          platform: share.platform,
          articleId: share.articleId,
          ...(share.round ? { round: share.round } : {}),
          title: record.article.title,
          ...(record.article.section ? { section: record.article.section } : {}),
          url: share.url,
          ...(share.remoteUrl ? { remoteUrl: share.remoteUrl } : {}),
          publishedAt: postedAtOf(share),
          reading: decision.reading,
          offsetIndex: decision.offsetIndex,
          final: decision.final,
        });
      }
      return;
    }
    case 'retry':
      run.report.failed += 1;
      await write(run, share, decision.patch);
      return;
    case 'skip':
      run.report.skipped += 1;
      await write(run, share, decision.patch);
      return;
    case 'stop':
      run.report.stopped += 1;
      await write(run, share, decision.patch);
      return;
  }
}

/** Why the post is no longer read at all; undefined: read it. */
async function stopReason(
  run: Run,
  share: Share,
  record: ArticleRecord | undefined,
  channel: Channel | undefined,
): Promise<string | undefined> {
  if (share.withdrawal) return 'no longer read: the post was withdrawn';
  if (record?.article.status !== 'published') {
    return `no longer read: the article is ${record ? record.article.status : 'gone'}`;
  }
  if (!channel) return `no longer read: channel ${share.channelId} is no longer configured`;
  const off = readingOffReason(channel);
  if (off) return off;
  if (!share.remoteId) return 'no longer read: the post has no remote id';
  const client = await run.deps.clientFor(share.platform);
  if (!client?.metrics) return `not read: ${share.platform} gives Crier no counts`;
  return undefined;
}

function skipFor(share: Share, run: Run, reason: string): Partial<Share> {
  return {
    ...advance(share, run.deps.offsetsMs, share.metricsRound ?? 0, run.now),
    metricsSkipped: reason,
  };
}

/** The channel's readings wait for a later run; this one stays due. */
function wait(run: Run, gate: ChannelGate, channelId: string, reason: string): void {
  if (!gate.waiting) {
    gate.waiting = reason;
    // The reason is the network's words or the token keeper's, never a credential.
    run.deps.log?.('warn', 'Channel readings wait', { channelId, reason: reason.slice(0, 300) });
  }
  run.report.postponed += 1;
}

/**
 * The share with `patch`, written on its version: a share that changed meanwhile (an
 * edit, a withdrawal) keeps its own, and the next run looks at it again.
 */
async function write(run: Run, share: Share, patch: Partial<Share>): Promise<boolean> {
  const next: Share = {
    ...share,
    ...patch,
    version: share.version + 1,
    updatedAt: run.deps.clock.now().toISOString(),
  };
  for (const key of Object.keys(patch) as (keyof Share)[]) {
    if (patch[key] === undefined) delete next[key];
  }
  return run.deps.shares.replace(share, next);
}

async function tell(run: Run, event: ReadingEvent): Promise<void> {
  try {
    await run.deps.onReading?.(event);
  } catch (error) {
    run.deps.log?.('error', 'A reading subscriber failed', {
      share: `${event.articleId}/${event.channelId}`,
      error: brief(error),
    });
  }
}

const refText = (ref: { articleId: string; channelId: string; round?: number }) =>
  `${ref.articleId}/${ref.channelId}${ref.round ? `~${ref.round}` : ''}`;

/** An error's name and message, cut short: never a response body or a token. */
const brief = (error: unknown) =>
  error instanceof Error
    ? { name: error.name, message: error.message.slice(0, 300) }
    : { name: typeof error, message: String(error).slice(0, 300) };
