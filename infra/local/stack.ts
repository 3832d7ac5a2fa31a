/**
 * The whole local runtime from the shared resource definitions: dynalite, fauxqs and its
 * queues, the HTTP gateway, the SQS pollers and the schedule, with the functions'
 * environment set before any handler is imported.
 */

import { join, resolve } from 'node:path';
import type { Handler } from 'aws-lambda';
import { CHANNEL_SECRETS_DIR_ENV } from '../../shared/config/channel-secrets';
import { runtimeClock, setLocalClock } from '../../shared/config/clock';
import { sandboxCredentialsEnvName } from '../../shared/config/credentials';
import { METRICS_AFTER_ENV, readMetricsAfter } from '../../shared/config/metrics';
import { networkAppEnvName } from '../../shared/config/network-apps';
import { PLATFORMS } from '../../shared/domain/platform';
import type { Clock } from '../../shared/domain/ports';
import {
  BUCKET,
  ENV,
  FUNCTIONS,
  isScheduled,
  isWebhookRoute,
  QUEUES,
  type QueueDefinition,
  type QueueName,
  type Throttle,
} from '../../shared/resources';
import { type AutoConnect, startAutoConnect } from './auto-connect';
import { type LocalDynamo, startDynamo } from './dynamo';
import { serveEditorUi } from './editor-ui';
import { type EventSource, startEventSource } from './event-source';
import { entryExists, handlerLoader, type LocalFunctionDefinition } from './handler-loader';
import {
  type GatewayFunction,
  type HttpGateway,
  type LocalRouteHandler,
  startHttpGateway,
} from './http-gateway';
import { type FunctionIdentity, FunctionTimeoutError, invokeHandler } from './invoke';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-aws';
import { acquireDataDirLock, type DataDirLock } from './lock';
import { createLogger, type LogEntry, type Logger } from './logger';
import { type LocalMediaBucket, startMediaBucket } from './media-bucket';
import { removeRuntimeFile, writeRuntimeFile } from './runtime-file';
import { type Sandboxes, startSandboxes } from './sandbox';
import { faultsRoute } from './sandbox/faults-route';
import { createEmailTopic, NotificationReceiver } from './sandbox/notifications';
import { sandboxPostPage } from './sandbox/post-page';
import { type Scheduler, startScheduler } from './scheduler';
import { type LocalSecrets, loadSecrets } from './secrets';
import { seedChannelDirectory } from './seed-channels';
import { type LocalSqs, startSqs } from './sqs';
import { webhookThrottleFrom } from './token-bucket';

export type { LocalFunctionDefinition } from './handler-loader';

export type LocalStackOptions = {
  /** HTTP port; default PORT or 3000; 0 takes a free one */
  port?: number;
  /** default CRIER_DATA_DIR or `.crier`, resolved against the working directory */
  dataDir?: string;
  /** seconds between schedule ticks; default CRIER_TICK_SECONDS or 60 */
  tickSeconds?: number;
  /** default FUNCTIONS; a definition may carry an in-memory `handler` (tests) */
  functions?: Record<string, LocalFunctionDefinition>;
  /** default QUEUES; tests pass shorter visibility timeouts */
  queues?: Record<QueueName, QueueDefinition>;
  /**
   * the webhook routes' token bucket, as API Gateway's route settings keep it in AWS;
   * default CRIER_WEBHOOK_RATE_LIMIT and CRIER_WEBHOOK_BURST_LIMIT, else the deployed
   * default (WEBHOOK_THROTTLE); `false` (or CRIER_WEBHOOK_RATE_LIMIT=off) throttles nothing
   */
  webhookThrottle?: Throttle | false;
  /** no log lines (tests); `logSink` still receives them */
  quiet?: boolean;
  logSink?: (entry: LogEntry) => void;
  /** start the sandbox networks (default true); `CRIER_SANDBOX_FAULTS` sets their faults */
  sandboxes?: boolean;
  /**
   * the clock every function reads (default the system's): tests run the stack at another
   * time, e.g. just before a daylight-saving change. Queue delays and ticks stay real.
   */
  clock?: Clock;
  /**
   * Connect every channel without credentials of its own through its sandbox's sign-in,
   * at start and as channels are added (`npm start` does, unless `CRIER_SANDBOX_CONNECT`
   * is `off`). Off (the default), such a channel posts with its sandbox's fixed account.
   * It runs the functions' own composition in this process, whose clients are made once
   * per process: one auto-connecting stack per process, so tests that start several
   * stacks leave it off.
   */
  autoConnect?: boolean;
  /**
   * CRIER_METRICS_AFTER for the functions: when published posts' counts are read (e.g.
   * `5s,20s`); default the environment's, else `1h,6h,24h,72h,7d`
   */
  metricsAfter?: string;
};

/** Seconds between the sweeps that connect channels written straight into the table. */
const CONNECT_SWEEP_SECONDS = 10;

export type LocalStack = {
  /** the API's base URL, `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** the data folder, absolute */
  dataDir: string;
  /** each secret's value and where it came from (`environment` or the secrets file) */
  secrets: LocalSecrets;
  tableName: string;
  /** each queue's URL (as the functions get it) and its DLQ's */
  queueUrls: Record<QueueName, string>;
  dlqUrls: Record<QueueName, string>;
  /** the sandbox networks, when started: their posts, fault knobs and URLs */
  sandboxes: Sandboxes | undefined;
  /** for SDK clients outside the functions (tests, tools) */
  dynamoEndpoint: string;
  sqsEndpoint: string;
  /** serves a route from the runtime itself, e.g. `GET /sandbox/posts` */
  addRoute(method: string, path: string, handler: LocalRouteHandler): void;
  /** invokes a function directly, with its timeout; rejects with its error or a FunctionTimeoutError */
  invoke(name: string, event: unknown): Promise<unknown>;
  /** stops everything in order and releases the data folder; safe to call twice */
  stop(): Promise<void>;
};

/** One value per queue; a new QueueName makes this fail to compile until it is listed. */
function perQueue<T>(pick: (name: QueueName) => T): Record<QueueName, T> {
  return { compose: pick('compose'), publish: pick('publish'), syndicate: pick('syndicate') };
}

function positiveNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new Error(`${name} must be a number >= 0`);
  return number;
}

/**
 * Values that running stacks have put in process.env. Another stack in the same process
 * (tests) must not take them for the user's settings: a secret would pass for one "from
 * the environment", and CRIER_DATA_DIR would point it at the first stack's folder.
 */
const setByStacks = new Map<string, string>();

function userEnvironment(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const [name, value] of setByStacks) if (env[name] === value) delete env[name];
  return env;
}

/** Sets variables and remembers what they were, so stop() can put them back. */
function environmentSetter(): {
  set(values: Record<string, string | undefined>): void;
  restore(): void;
} {
  const previous = new Map<string, string | undefined>();
  return {
    set(values) {
      for (const [name, value] of Object.entries(values)) {
        if (!previous.has(name)) previous.set(name, process.env[name]);
        if (value === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = value;
          setByStacks.set(name, value);
        }
      }
    },
    restore() {
      for (const [name, value] of previous) {
        if (setByStacks.get(name) === process.env[name]) setByStacks.delete(name);
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      previous.clear();
    },
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log: Logger = createLogger({ quiet: options.quiet, sink: options.logSink });
  const env = userEnvironment();
  const dataDir = resolve(options.dataDir ?? env.CRIER_DATA_DIR ?? '.crier');
  const port = options.port ?? positiveNumber(env.PORT, 'PORT') ?? 3000;
  const tickSeconds =
    options.tickSeconds ?? positiveNumber(env.CRIER_TICK_SECONDS, 'CRIER_TICK_SECONDS') ?? 60;
  if (tickSeconds <= 0) throw new Error('the tick must be longer than 0 seconds');
  // Checked here, before anything starts: a bad value is named at once, not at a run.
  const metricsAfter = options.metricsAfter ?? env[METRICS_AFTER_ENV];
  const [firstAgeMs = 60_000] = readMetricsAfter({ [METRICS_AFTER_ENV]: metricsAfter });
  const webhookThrottle = options.webhookThrottle ?? webhookThrottleFrom(env);
  const definitions: Record<string, LocalFunctionDefinition> = options.functions ?? FUNCTIONS;
  const queueDefinitions = options.queues ?? QUEUES;

  const functions = Object.entries(definitions).map(([name, definition]) => {
    const identity: FunctionIdentity = {
      name,
      timeoutSeconds: definition.timeoutSeconds,
      memoryMB: definition.memoryMB,
      region: LOCAL_REGION,
    };
    return { name, definition, identity, loadHandler: handlerLoader(definition) };
  });
  for (const { name, definition } of functions) {
    if (!entryExists(definition)) {
      log.warn('function.entry-missing', { function: name, entry: definition.entry });
    }
  }

  // Taken first: a second dynalite on this folder would crash the process.
  const lock: DataDirLock = acquireDataDirLock(dataDir);
  if (options.clock) setLocalClock(options.clock);
  const environment = environmentSetter();
  let gateway: HttpGateway | undefined;
  let dynamo: LocalDynamo | undefined;
  let sqs: LocalSqs | undefined;
  let media: LocalMediaBucket | undefined;
  const schedulers: Scheduler[] = [];
  let sandboxes: Sandboxes | undefined;
  let autoConnect: AutoConnect | undefined;
  const eventSources: EventSource[] = [];
  let ready = false;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      ready = false;
      gateway?.setReady(false);
      const steps: [string, (() => Promise<void>) | undefined][] = [
        ['auto-connect', () => autoConnect?.stop() ?? Promise.resolve()],
        ['scheduler', async () => void (await Promise.all(schedulers.map((s) => s.stop())))],
        [
          'pollers',
          async () => void (await Promise.all(eventSources.map((source) => source.stop()))),
        ],
        ['http', gateway?.stop],
        ['sandboxes', sandboxes?.stop],
        ['media', media?.stop],
        ['sqs', sqs?.stop],
        ['dynamodb', dynamo?.stop],
      ];
      for (const [name, step] of steps) {
        try {
          await step?.();
        } catch (error) {
          log.error('stack.stop-failed', { step: name, error });
        }
      }
      environment.restore();
      removeRuntimeFile(dataDir);
      if (options.clock) setLocalClock(undefined);
      lock.release();
      log.info('stack.stopped', { dataDir });
    })();
    return stopping;
  };

  try {
    const secrets = loadSecrets(dataDir, env);
    const gatewayFunctions: GatewayFunction[] = functions
      .filter(({ definition }) => (definition.routes ?? []).length > 0)
      .map(({ definition, identity, loadHandler }) => ({
        function: identity,
        routes: definition.routes ?? [],
        loadHandler,
      }));
    // Listening first: a taken PORT fails before anything else starts, and /healthz
    // answers 503 while the rest comes up.
    gateway = await startHttpGateway({
      port,
      functions: gatewayFunctions,
      log,
      ready: false,
      // A channel just added (or an archived one restored) is connected at once.
      onAnswer: (routeKey, status) => {
        if (routeKey === 'POST /api/channels' && status === 201) autoConnect?.nudge();
      },
      throttleFor: (routeKey) =>
        webhookThrottle && isWebhookRoute(routeKey) ? webhookThrottle : undefined,
    });
    gateway.addRoute('GET', '/healthz', async () =>
      ready
        ? { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' }
        : {
            status: 503,
            headers: { 'content-type': 'application/json' },
            body: '{"status":"starting"}',
          },
    );

    serveEditorUi(gateway, log);

    const connecting = (options.sandboxes ?? true) && options.autoConnect === true;
    if (options.sandboxes ?? true) {
      sandboxes = await startSandboxes({
        log,
        faults: process.env.CRIER_SANDBOX_FAULTS,
        resetSeconds: positiveNumber(
          process.env.CRIER_SANDBOX_RESET_SECONDS,
          'CRIER_SANDBOX_RESET_SECONDS',
        ),
        tokenSeconds: positiveNumber(
          process.env.CRIER_SANDBOX_TOKEN_SECONDS,
          'CRIER_SANDBOX_TOKEN_SECONDS',
        ),
        redirectBase: gateway.url,
      });
      serveSandboxRoutes(gateway, sandboxes);
    }
    dynamo = await startDynamo({ dataDir, log });
    await seedChannelDirectory({
      client: dynamo.client,
      tableName: dynamo.tableName,
      configPath: process.env[ENV.channelsConfig],
      clock: options.clock ?? runtimeClock,
      log,
    });
    sqs = await startSqs({ log, queues: queueDefinitions });
    // fauxqs serves S3 on the same endpoint: the media bucket lives there, in memory, and
    // is kept in the data folder so its images survive a restart.
    media = await startMediaBucket({
      endpoint: sqs.endpoint,
      spy: sqs.spy,
      bucket: BUCKET.localName,
      dir: join(dataDir, 'media'),
      log,
    });
    const localSqs = sqs;
    const queueOf = (name: QueueName) => {
      const queue = localSqs.queues[name];
      if (!queue) throw new Error(`queue ${name} was not created`);
      return queue;
    };
    // The editors' notifications: e-mail through a local SNS topic, Slack and webhooks to
    // the sandbox receiver; `GET /sandbox/notifications` lists what arrived.
    const emailTopic = await createEmailTopic(sqs.endpoint, localSqs.client);
    const notifications = new NotificationReceiver();
    notifications.attachEmail(localSqs.client, emailTopic.queueUrl);
    serveNotificationRoutes(gateway, notifications);
    const queueUrls = perQueue((name) => queueOf(name).url);
    const dlqUrls = perQueue((name) => queueOf(name).dlqUrl);

    // What the functions read at cold start; set before any handler module is imported.
    const functionEnvironment: Record<string, string | undefined> = {
      [ENV.tableName]: dynamo.tableName,
      ...Object.fromEntries(
        Object.values(perQueue((name) => [queueDefinitions[name].urlEnv, queueUrls[name]])),
      ),
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: undefined,
      // SDK v3 reads these service-specific endpoints (unless told to ignore them).
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_S3: sqs.endpoint,
      AWS_ENDPOINT_URL_SNS: sqs.endpoint,
      [ENV.notifyTopicArn]: emailTopic.topicArn,
      [ENV.notifySandboxUrl]: `${gateway.url}/sandbox/`,
      [ENV.editorUrl]: process.env[ENV.editorUrl] ?? gateway.url,
      // Each sandbox's app has `<it>/oauth/callback/<platform>` registered as redirect URI.
      [ENV.apiUrl]: gateway.url,
      [BUCKET.nameEnv]: BUCKET.localName,
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
      [ENV.webhookSecret]: secrets.webhookSecret.value,
      [ENV.ghostSecret]: secrets.ghostSecret.value,
      [ENV.syndicationSecret]: secrets.syndicationSecret.value,
      [ENV.editorToken]: secrets.editorToken.value,
      POWERTOOLS_SERVICE_NAME: 'crier',
      // No CloudWatch here: metrics would only print EMF lines between the logs.
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      // The functions' own logs follow the runtime's: none when it is quiet (tests).
      POWERTOOLS_LOG_LEVEL: options.quiet ? 'SILENT' : (process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO'),
      // As Lambda sets it; Powertools reports cold starts only when it is `on-demand`.
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      CRIER_TICK_SECONDS: String(tickSeconds),
      [METRICS_AFTER_ENV]: metricsAfter,
      CRIER_DATA_DIR: dataDir,
      // Credentials an admin sets through the API, one file per channel, owner-only.
      [CHANNEL_SECRETS_DIR_ENV]: join(dataDir, 'channel-secrets'),
      ...(sandboxes ? sandboxCredentials(sandboxes, log, { accounts: !connecting }) : {}),
    };
    environment.set(functionEnvironment);

    for (const { name, definition, identity, loadHandler } of functions) {
      if (!definition.sqs) continue;
      const queue = localSqs.queues[definition.sqs.queue];
      if (!queue)
        throw new Error(`${name} reads queue ${definition.sqs.queue}, which does not exist`);
      eventSources.push(
        startEventSource({
          function: identity,
          trigger: definition.sqs,
          queue: { url: queue.url, arn: queue.arn },
          client: localSqs.client,
          loadHandler,
          log,
        }),
      );
    }
    schedulers.push(
      startScheduler({
        functions: functions
          .filter(({ definition }) => isScheduled(definition) && !definition.localEverySeconds)
          .map(({ identity, loadHandler }) => ({ function: identity, loadHandler })),
        tickSeconds,
        log,
      }),
    );
    // A function that runs more often here than the shared tick (the metrics collector, so
    // a short CRIER_METRICS_AFTER is met) has a schedule of its own, its runs logged at
    // debug: a quarter of the first age, no oftener than its own period, no later than the
    // tick (with the default ages, once a tick).
    for (const { definition, identity, loadHandler } of functions) {
      if (!isScheduled(definition) || !definition.localEverySeconds) continue;
      schedulers.push(
        startScheduler({
          functions: [{ function: identity, loadHandler }],
          tickSeconds: Math.min(
            tickSeconds,
            Math.max(definition.localEverySeconds, firstAgeMs / 4000),
          ),
          log,
          quiet: true,
        }),
      );
    }

    if (sandboxes && connecting) {
      // Before ready: the first article already posts with tokens the sandboxes issued.
      const started = Date.now();
      autoConnect = startAutoConnect({ sandboxes, log, sweepSeconds: CONNECT_SWEEP_SECONDS });
      await autoConnect.sweep({ atStart: true });
      log.debug('sandbox.connect-sweep', { ms: Date.now() - started });
    }

    writeRuntimeFile(dataDir, {
      pid: process.pid,
      url: gateway.url,
      region: LOCAL_REGION,
      tableName: dynamo.tableName,
      dynamoEndpoint: dynamo.endpoint,
      sqsEndpoint: sqs.endpoint,
      queues: Object.fromEntries(
        Object.entries(localSqs.queues).map(([name, queue]) => [
          name,
          { url: queue.url, arn: queue.arn, dlqUrl: queue.dlqUrl, dlqArn: queue.dlqArn },
        ]),
      ),
      // For extra workers (infra/local/worker.ts): what the functions read, and the
      // stack's own CRIER_ settings (config file, publishing numbers), resolved.
      environment: { ...crierSettings(), ...functionEnvironment },
    });
    ready = true;
    gateway.setReady(true);
    log.debug('stack.ready', { url: gateway.url, dataDir });

    const byName = new Map(functions.map((fn) => [fn.name, fn]));
    const localGateway = gateway;
    return {
      url: gateway.url,
      port: gateway.port,
      dataDir,
      secrets,
      tableName: dynamo.tableName,
      queueUrls,
      dlqUrls,
      sandboxes,
      dynamoEndpoint: dynamo.endpoint,
      sqsEndpoint: sqs.endpoint,
      addRoute: (method, path, handler) => localGateway.addRoute(method, path, handler),
      invoke: async (name, event) => {
        const fn = byName.get(name);
        if (!fn) throw new Error(`no function named ${name}`);
        const handler: Handler = await fn.loadHandler();
        const outcome = await invokeHandler(handler, event, fn.identity, log);
        if (outcome.status === 'failed') throw outcome.error;
        if (outcome.status === 'timed-out') {
          throw new FunctionTimeoutError(name, fn.identity.timeoutSeconds);
        }
        return outcome.value;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The CRIER_ variables this process runs with, the config file's path made absolute. */
function crierSettings(): Record<string, string> {
  const settings = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[0].startsWith('CRIER_') && entry[1] !== undefined,
    ),
  );
  const config = settings[ENV.channelsConfig];
  if (config) settings[ENV.channelsConfig] = resolve(config);
  return settings;
}

/** The notification receiver's routes, on the API's own port (docs/api.md). */
function serveNotificationRoutes(gateway: HttpGateway, receiver: NotificationReceiver): void {
  gateway.addRoute('POST', '/sandbox/slack/{id}', receiver.slack);
  gateway.addRoute('POST', '/sandbox/notify-webhook', receiver.webhook);
  gateway.addRoute('GET', '/sandbox/notifications', async () => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(await receiver.list()),
  }));
}

/**
 * `GET /sandbox/posts` (and a page per post), `POST /sandbox/faults` and `GET /sandbox/auth`, on the API's own
 * port (docs/api.md).
 */
function serveSandboxRoutes(gateway: HttpGateway, sandboxes: Sandboxes): void {
  const json = (status: number, body: unknown) => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  gateway.addRoute('GET', '/sandbox/posts', async () => json(200, sandboxes.posts.list()));
  gateway.addRoute(
    'GET',
    '/sandbox/posts/{platform}/{remoteId}',
    sandboxPostPage(() => sandboxes.posts.list()),
  );
  gateway.addRoute('GET', '/sandbox/auth', async () => json(200, sandboxes.auth.snapshot()));
  gateway.addRoute(
    'POST',
    '/sandbox/faults',
    faultsRoute(sandboxes.faults, () => gateway.url),
  );
}

/**
 * Each sandbox's OAuth app, as a deployment registers one with each network. With
 * `accounts` (the stack does not connect its channels), every channel on a network with a
 * sandbox and no credentials of its own posts to that sandbox's fixed account: the ones
 * in the table now, and the ones an admin adds while the stack runs.
 */
function sandboxCredentials(
  sandboxes: Sandboxes,
  log: Logger,
  options: { accounts: boolean },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const platform of PLATFORMS) {
    const sandbox = sandboxes.byPlatform(platform);
    if (!sandbox) continue;
    if (options.accounts) {
      env[sandboxCredentialsEnvName(platform)] = JSON.stringify(sandbox.credentials);
    }
    // The one instance Connect may reach on loopback, past the SSRF-safe fetcher.
    if (platform === 'mastodon') env[ENV.mastodonSandboxUrl] = sandbox.url;
    // The sandbox's OAuth app, as a deployment registers one with each network.
    if (sandbox.app && !process.env[networkAppEnvName(platform)]) {
      const { clientId, clientSecret, authorizeUrl, tokenUrl } = sandbox.app;
      env[networkAppEnvName(platform)] = JSON.stringify({
        clientId,
        clientSecret,
        authorizeUrl,
        tokenUrl,
      });
    }
    log.debug('sandbox.channel', { platform, sandbox: sandbox.url });
  }
  return env;
}
