/**
 * The table, its indexes, the queues and the functions, described once. The local
 * runtime (infra/local) creates and wires these, and the CDK stacks build the same
 * resources from them, so both run one shape.
 */

/**
 * What an index holds besides the keys (the table's and its own): nothing, or the listed
 * attributes. An index never holds whole items: DynamoDB bills every change of what an
 * index holds as an index write of that entry's size, so an index carries only what its
 * readers use, and a reader that needs the item gets it from the table.
 */
export type IndexProjection =
  | { type: 'KEYS_ONLY' }
  | { type: 'INCLUDE'; attributes: readonly string[] }
  /** whole items: only the indexes of tables deployed by earlier versions */
  | { type: 'ALL' };

export type IndexDefinition = {
  /**
   * The GSI's name. A projection cannot change on a deployed index: a new projection
   * comes with a new name (docs/deploying.md, "Upgrading the table's indexes").
   */
  name: string;
  partitionKey: string;
  sortKey: string;
  projection: IndexProjection;
};

export const TABLE = {
  /** the local table's name; in AWS, CloudFormation names it */
  localName: 'crier',
  partitionKey: 'PK',
  sortKey: 'SK',
  /** epoch seconds; DynamoDB deletes the item some time after (dynalite never does) */
  ttlAttribute: 'expiresAt',
  indexes: {
    /**
     * `DUE#<shard>` / `<dueAt>#<articleId>#<channelId>`, set while a share is scheduled;
     * the tick reads the sort keys and gets each share
     */
    due: {
      name: 'due-keys',
      partitionKey: 'duePK',
      sortKey: 'dueSK',
      projection: { type: 'KEYS_ONLY' },
    },
    /**
     * `LEASE#<shard>` / `<leaseUntil>#<articleId>#<channelId>`, set while queued,
     * publishing or unknown; the sweep reads the sort keys and gets each share
     */
    inFlight: {
      name: 'inflight-keys',
      partitionKey: 'leasePK',
      sortKey: 'leaseSK',
      projection: { type: 'KEYS_ONLY' },
    },
    /**
     * `ARTS#<yyyy-mm>` / `<receivedAt>#<articleId>`: the editors' list, newest first; the
     * list reads the keys and gets the articles in one batch
     */
    articlesByTime: {
      name: 'articles-keys',
      partitionKey: 'monthPK',
      sortKey: 'monthSK',
      projection: { type: 'KEYS_ONLY' },
    },
    /**
     * `CH#<channelId>` / `<dueAt>#<articleId>`: spacing, caps and the calendar, which read
     * each share's ref, time and status from the index alone
     */
    channelTimeline: {
      name: 'timeline-status',
      partitionKey: 'timelinePK',
      sortKey: 'timelineSK',
      projection: {
        type: 'INCLUDE',
        attributes: ['articleId', 'channelId', 'round', 'dueAt', 'status'],
      },
    },
    /**
     * `METRICS#<shard>` / `<metricsDueAt>#<articleId>#<channelId>`, set while a published
     * share has a reading to come; the metrics collector reads the sort keys and gets
     * each share, so a run costs what is due, never the table
     */
    metrics: {
      name: 'metrics-keys',
      partitionKey: 'metricsPK',
      sortKey: 'metricsSK',
      projection: { type: 'KEYS_ONLY' },
    },
  },
  /** shards of the due, in-flight and metrics indexes; fixed when the table is created */
  shardCount: 4,
} as const satisfies {
  indexes: Record<string, IndexDefinition>;
  [key: string]: unknown;
};

/** Processed images and share cards, stored by content hash; Meta's networks get presigned URLs. */
export const BUCKET = {
  /** the local bucket's name; in AWS, CloudFormation names it */
  localName: 'crier-media',
  /** the environment variable that hands the bucket's name to the functions */
  nameEnv: 'MEDIA_BUCKET',
  /**
   * Days an object is kept after it was last written (every compose writes its images
   * again). A share due later finds its image gone: the publish step makes it again.
   */
  expireDays: 30,
} as const;

export type QueueName = 'compose' | 'publish' | 'syndicate';

export type QueueDefinition = {
  /** the local queue's name; the DLQ is `<localName>-dlq` */
  localName: string;
  /** the environment variable that hands the queue's URL to the functions */
  urlEnv: string;
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  /** receives before SQS moves a message to the DLQ */
  maxReceiveCount: number;
  dlqRetentionSeconds: number;
};

const DAY = 86_400;

export type SqsTrigger = {
  queue: QueueName;
  batchSize: number;
  /** seconds to gather a batch (Lambda's MaximumBatchingWindowInSeconds) */
  maxBatchingWindowSeconds: number;
  /** concurrent batches (Lambda's ScalingConfig.MaximumConcurrency, at least 2) */
  maxConcurrency: number;
};

export type FunctionDefinition = {
  /** the handler's file in functions/, which exports `handler` */
  entry: string;
  description: string;
  timeoutSeconds: number;
  memoryMB: number;
  /** API Gateway HTTP API routes, `METHOD /path/{param}` */
  routes?: readonly string[];
  /** SQS event source mapping, always with partial batch responses */
  sqs?: SqsTrigger;
  /**
   * The local runtime may run the function this often at most, on a schedule of its own,
   * instead of on the shared tick (a short CRIER_METRICS_AFTER, such as `5s,20s`, needs it).
   */
  localEverySeconds?: number;
  /** EventBridge schedule, every `everySeconds` (60 in AWS: a rate of one minute) */
  schedule?: { everySeconds: number };
  /**
   * EventBridge rules of the function's own, apart from the shared tick: each runs it
   * every `everyMinutes` in AWS with `input` as its event. The local runtime runs the
   * function on every tick instead, with a plain Scheduled Event (which does every task).
   */
  rules?: readonly ScheduleRule[];
  /** what the function touches, for grants and for its environment */
  uses: {
    table?: 'read' | 'readWrite';
    sendTo?: readonly QueueName[];
    /** the media bucket: processed images and share cards */
    media?: 'read' | 'readWrite';
    /** editors' uploaded images in the media bucket (`uploads/`): read and written */
    uploads?: boolean;
    /**
     * Crier's own secrets the function reads at cold start, by environment variable name:
     * the variable itself locally, `<NAME>_ARN` naming a Secrets Manager secret in AWS.
     */
    secrets?: readonly SecretName[];
    /**
     * each channel's credentials secret (`<CRIER_CHANNEL_SECRET_PREFIX><channelId>`):
     * `read` to use them, `readWrite` to store what an admin sets
     */
    channelSecrets?: 'read' | 'readWrite';
    /** reads each network's app (`<CRIER_APP_SECRET_PREFIX><platform>`), to connect channels */
    networkApps?: boolean;
    /** manages the editors as Cognito users and groups in the editors' pool (AWS only) */
    editors?: boolean;
    /** publishes the editors' e-mail digests to the notifications topic */
    notifications?: boolean;
    /** subscribes and unsubscribes the sites' e-mail addresses on the notifications topic */
    emailSubscriptions?: boolean;
    /** reads CRIER_METRICS_AFTER: the ages after publication at which a post's counts are read */
    metricsAfter?: boolean;
  };
};

export type ScheduleRule = {
  /** the rule's name in the stack (`<Function><Name>Schedule`) */
  name: string;
  everyMinutes: number;
  /** the event the rule sends; unset, EventBridge's own Scheduled Event */
  input?: Readonly<Record<string, string>>;
};

/** Run by EventBridge: on the shared tick, or by rules of its own. */
export const isScheduled = (definition: FunctionDefinition): boolean =>
  definition.schedule !== undefined || (definition.rules?.length ?? 0) > 0;

/** The tasks check-channels runs, one per rule (a plain Scheduled Event runs both). */
export const CHECK_CHANNELS_TASKS = ['tokens', 'health'] as const;
export type CheckChannelsTask = (typeof CHECK_CHANNELS_TASKS)[number];

/** A token bucket: `rateLimit` requests a second on average, at most `burstLimit` at once. */
export type Throttle = { rateLimit: number; burstLimit: number };

/**
 * The webhook routes' own throttle, apart from the editor API's: API Gateway's route
 * settings in AWS, the local gateway's token bucket locally. Each route has its own
 * bucket. A CMS sends a few articles a minute, a bulk edit a few a second; a flood
 * beyond this is answered 429, and the senders retry (docs/api.md).
 */
export const WEBHOOK_THROTTLE: Throttle = { rateLimit: 10, burstLimit: 20 };

/** The CMS's routes (`POST /webhooks/...`): signed, not behind the editors' tokens. */
export const isWebhookRoute = (route: string): boolean => / \/webhooks(\/|$)/.test(route);

/** Crier's own secrets (channel credentials apart). */
export type SecretName = 'CRIER_WEBHOOK_SECRET' | 'CRIER_GHOST_SECRET' | 'CRIER_SYNDICATION_SECRET';

export const FUNCTIONS = {
  'ingest-webhook': {
    entry: 'functions/ingest-webhook.ts',
    description: 'Verifies a CMS webhook, stores the article revision and queues its composition',
    timeoutSeconds: 10,
    memoryMB: 512,
    routes: [
      'POST /webhooks/generic',
      'POST /webhooks/generic/{siteId}',
      'POST /webhooks/wordpress',
      'POST /webhooks/wordpress/{siteId}',
      'POST /webhooks/ghost',
      'POST /webhooks/ghost/{siteId}',
    ],
    uses: {
      table: 'readWrite',
      sendTo: ['compose'],
      secrets: ['CRIER_WEBHOOK_SECRET', 'CRIER_GHOST_SECRET'],
    },
  },
  'compose-article': {
    entry: 'functions/compose-article.ts',
    description: "Writes one share per channel from an article's stored revision",
    timeoutSeconds: 60,
    // Computes about a third of its run (images, cards, eight posts) and waits the rest:
    // a fifth fewer GB-seconds than at 1,536 MB for a run a fifth longer
    // (docs/benchmarks.md, "Sizing the functions").
    memoryMB: 1024,
    sqs: { queue: 'compose', batchSize: 5, maxBatchingWindowSeconds: 0, maxConcurrency: 2 },
    // Sends what falls due within the look-ahead straight to the publish queue; fetches
    // the article's page and image and stores the processed images and share cards.
    uses: { table: 'readWrite', sendTo: ['publish'], media: 'readWrite' },
  },
  'dispatch-due': {
    entry: 'functions/dispatch-due.ts',
    description:
      'Every minute: sends the shares falling due, and sweeps shares stuck in flight and revisions never composed',
    timeoutSeconds: 50,
    memoryMB: 512,
    schedule: { everySeconds: 60 },
    // compose: a stored revision whose compose message was lost is sent again.
    uses: { table: 'readWrite', sendTo: ['publish', 'compose'] },
  },
  'publish-share': {
    entry: 'functions/publish-share.ts',
    description: 'Publishes one share to its network, exactly once, and records the outcome',
    timeoutSeconds: 60,
    // Mostly waits on its network; its images were made at compose time.
    memoryMB: 512,
    // Ten at a time: an article's shares on all eight networks go out side by side.
    sqs: { queue: 'publish', batchSize: 1, maxBatchingWindowSeconds: 0, maxConcurrency: 10 },
    // Tells the CMS of each post through the syndicate queue, once it is recorded.
    // Renews a channel's OAuth token on use: the channel's secret, and the network's app.
    uses: {
      table: 'readWrite',
      sendTo: ['publish', 'syndicate'],
      channelSecrets: 'readWrite',
      networkApps: true,
      // Reads each stored image, and stores one anew where the bucket's lifecycle deleted it.
      media: 'readWrite',
      // Sets a published post's first reading from the same ages the collector reads at.
      metricsAfter: true,
    },
  },
  'notify-cms': {
    entry: 'functions/notify-cms.ts',
    description:
      'Tells the CMS where each share was posted: a signed webhook, retried with backoff',
    timeoutSeconds: 30,
    memoryMB: 256,
    sqs: { queue: 'syndicate', batchSize: 1, maxBatchingWindowSeconds: 0, maxConcurrency: 2 },
    // Its event source grants what retrying takes: reading the queue's URL, and holding a
    // failed message back (ChangeMessageVisibility) for its backoff.
    uses: { table: 'readWrite', secrets: ['CRIER_SYNDICATION_SECRET'] },
  },
  'poll-feeds': {
    entry: 'functions/poll-feeds.ts',
    description:
      'Every minute: fetches the configured feeds that are due and takes their new items',
    timeoutSeconds: 50,
    memoryMB: 512,
    // Each feed keeps its own period (`everyMinutes`); one schedule serves them all.
    schedule: { everySeconds: 60 },
    uses: { table: 'readWrite', sendTo: ['compose'] },
  },
  'notify-editors': {
    entry: 'functions/notify-editors.ts',
    description:
      "Every five minutes: sends each site's editors one digest of what needs them, per target",
    timeoutSeconds: 50,
    memoryMB: 256,
    // A digest every five minutes: soon enough for a failure, few enough messages to
    // read. A run with nothing pending reads one item per site.
    rules: [{ name: 'Digest', everyMinutes: 5 }],
    uses: { table: 'readWrite', notifications: true },
  },
  'check-channels': {
    entry: 'functions/check-channels.ts',
    description:
      'Every five minutes renews the OAuth tokens inside their margin; every hour checks with its network each channel not checked for a day',
    timeoutSeconds: 50,
    memoryMB: 512,
    // Two rules, one function. The shortest-lived tokens (X's, two hours) are renewed
    // twelve minutes before they end: a pass every five minutes is always in time. The
    // hourly pass checks each channel a day after its last check, a few per run, and
    // reports the failing ones for the alarm (whose period is that hour).
    rules: [
      { name: 'Tokens', everyMinutes: 5, input: { task: 'tokens' } },
      { name: 'Health', everyMinutes: 60, input: { task: 'health' } },
    ],
    // Renews the OAuth tokens inside their margin first: the network's app is needed.
    uses: { table: 'readWrite', channelSecrets: 'readWrite', networkApps: true },
  },
  'collect-metrics': {
    entry: 'functions/collect-metrics.ts',
    description:
      'Every five minutes: reads the engagement counts of the published posts whose reading is due',
    timeoutSeconds: 50,
    memoryMB: 512,
    // Each post is read at CRIER_METRICS_AFTER's ages (an hour at the soonest by default):
    // five minutes late is close enough, and a run with nothing due reads one page per shard.
    rules: [{ name: 'Readings', everyMinutes: 5 }],
    localEverySeconds: 3,
    // Renews a channel's OAuth token on use, as publishing does: the channel's secret, and
    // the network's app.
    uses: {
      table: 'readWrite',
      channelSecrets: 'readWrite',
      networkApps: true,
      metricsAfter: true,
    },
  },
  'oauth-callback': {
    entry: 'functions/oauth-callback.ts',
    description:
      'Where a network’s consent page sends an admin back: checks the state, exchanges the code and stores the channel’s credentials',
    timeoutSeconds: 30,
    memoryMB: 512,
    // Public: the browser arrives from the network, with no editor token; the single-use
    // state made by GET /api/channels/{id}/connect is what the handler checks.
    routes: ['GET /oauth/callback/{platform}'],
    uses: { table: 'readWrite', channelSecrets: 'readWrite', networkApps: true },
  },
  'editor-api': {
    entry: 'functions/editor-api.ts',
    description: 'The editor API: articles, their shares, and the editors’ actions on them',
    // A desk post with a link and an image waits for its page (5 s at most), then its
    // image (5 s at most), before it draws and writes: within API Gateway's 30 s.
    timeoutSeconds: 20,
    memoryMB: 512,
    routes: [
      'GET /api/articles',
      'GET /api/articles/{articleId}',
      'PATCH /api/articles/{articleId}/shares/{channelId}',
      'POST /api/articles/{articleId}/shares/{channelId}/{action}',
      'POST /api/articles/{articleId}/channels',
      'GET /api/articles/{articleId}/shares/{channelId}/media/{index}',
      'GET /api/articles/{articleId}/shares/{channelId}/card-image',
      'POST /api/shares/bulk',
      'POST /api/posts',
      'POST /api/media',
      'GET /api/openapi.json',
      'GET /api/channels',
      'POST /api/channels',
      'PATCH /api/channels/{id}',
      'DELETE /api/channels/{id}',
      'POST /api/channels/{id}/pause',
      'POST /api/channels/{id}/resume',
      'PUT /api/channels/{id}/credentials',
      'GET /api/channels/{id}/connect',
      'GET /api/channels/{id}/connect/choices/{choiceId}',
      'POST /api/channels/{id}/connect/choose',
      'POST /api/channels/{id}/check',
      'GET /api/channels/{id}/best-times',
      'GET /api/sites',
      'POST /api/sites',
      'PATCH /api/sites/{siteId}',
      'POST /api/sites/{siteId}/webhook-key',
      'PUT /api/sites/{siteId}/notifications',
      'POST /api/sites/{siteId}/notifications/test',
      'GET /api/me',
      'GET /api/editors',
      'POST /api/editors',
      'DELETE /api/editors/{id}',
      'GET /api/audit',
      'GET /api/articles/{articleId}/shares/{channelId}/metrics',
      'GET /api/engagement',
      'GET /api/engagement/posts.csv',
    ],
    // Sends a share that an edit or an action makes due straight to the publish queue.
    // Sends a test digest to a site's notification targets (POST .../notifications/test),
    // subscribes the addresses an admin sets for a site (PUT .../notifications),
    // and writes the channels' credentials an admin sets, once the network accepted them.
    uses: {
      table: 'readWrite',
      sendTo: ['publish'],
      editors: true,
      notifications: true,
      emailSubscriptions: true,
      channelSecrets: 'readWrite',
      networkApps: true,
      // Signs the links the previews load stored images from; keeps editors' uploads
      // (uploads/) and the copies of a share's chosen image (media/).
      media: 'readWrite',
      uploads: true,
    },
  },
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionName = keyof typeof FUNCTIONS;

const compose = FUNCTIONS['compose-article'];

export const QUEUES: Record<QueueName, QueueDefinition> = {
  compose: {
    localName: 'crier-compose',
    urlEnv: 'COMPOSE_QUEUE_URL',
    // AWS's advice for Lambda consumers: at least six times the function's timeout
    visibilityTimeoutSeconds: 6 * compose.timeoutSeconds,
    retentionSeconds: 4 * DAY,
    maxReceiveCount: 5,
    dlqRetentionSeconds: 14 * DAY,
  },
  publish: {
    localName: 'crier-publish',
    urlEnv: 'PUBLISH_QUEUE_URL',
    visibilityTimeoutSeconds: 6 * FUNCTIONS['publish-share'].timeoutSeconds,
    retentionSeconds: 4 * DAY,
    maxReceiveCount: 5,
    dlqRetentionSeconds: 14 * DAY,
  },
  syndicate: {
    localName: 'crier-syndicate',
    urlEnv: 'SYNDICATE_QUEUE_URL',
    visibilityTimeoutSeconds: 6 * FUNCTIONS['notify-cms'].timeoutSeconds,
    retentionSeconds: 4 * DAY,
    // Each receive is one attempt to reach the CMS, held back on a backoff in between
    // (about three hours in all by default); then the message waits in the DLQ.
    maxReceiveCount: 10,
    dlqRetentionSeconds: 14 * DAY,
  },
};

/** Environment variable names shared by the functions, the local runtime and the CDK app. */
export const ENV = {
  tableName: 'TABLE_NAME',
  channelsConfig: 'CRIER_CONFIG',
  webhookSecret: 'CRIER_WEBHOOK_SECRET',
  ghostSecret: 'CRIER_GHOST_SECRET',
  syndicationSecret: 'CRIER_SYNDICATION_SECRET',
  editorToken: 'CRIER_EDITOR_TOKEN',
  channelSecretPrefix: 'CRIER_CHANNEL_SECRET_PREFIX',
  /** the editors' Cognito user pool (AWS); unset locally, where editors have tokens */
  userPoolId: 'CRIER_USER_POOL_ID',
  /** the SNS topic of the editors' e-mail digests; unset, e-mail is not a target */
  notifyTopicArn: 'CRIER_NOTIFY_TOPIC_ARN',
  /** local runtime only: the sandbox receiver's base URL, posted to without the SSRF check */
  notifySandboxUrl: 'CRIER_NOTIFY_SANDBOX_URL',
  /** local runtime only: the Mastodon sandbox's origin, called without the SSRF check */
  mastodonSandboxUrl: 'CRIER_MASTODON_SANDBOX_URL',
  /** the editor UI's address, for the links in notifications and Connect's return */
  editorUrl: 'CRIER_EDITOR_URL',
  /** the HTTP API's base URL: Connect's redirect URI is `<it>/oauth/callback/<platform>` */
  apiUrl: 'CRIER_API_URL',
  /** in AWS, each network app's secret is `<it><platform>` (docs/deploying.md) */
  appSecretPrefix: 'CRIER_APP_SECRET_PREFIX',
  /** when a published post's counts are read: offsets after publication (`1h,6h,24h,72h,7d`) */
  metricsAfter: 'CRIER_METRICS_AFTER',
} as const;
