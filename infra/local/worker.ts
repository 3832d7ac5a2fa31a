/**
 * `tsx infra/local/worker.ts [--data-dir DIR] [--function NAME]`: one more consumer of a
 * running local stack's queue, in a process of its own, as a second concurrent Lambda
 * would be. It reads the stack's runtime file (runtime-file.ts), so it shares the
 * stack's table, queues and sandboxes. The chaos run starts these and kills them with
 * SIGKILL in the middle of a batch, which an in-process poller cannot be.
 *
 * It writes one JSON line per event on stdout, `poller.batch-started` included.
 */
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { FUNCTIONS, type FunctionDefinition } from '../../shared/resources';
import { startEventSource } from './event-source';
import { handlerLoader } from './handler-loader';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-aws';
import { createLogger } from './logger';
import { requireRuntimeFile } from './runtime-file';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: process.env.CRIER_DATA_DIR ?? '.crier' },
    function: { type: 'string', default: 'publish-share' },
  },
});

const name = values.function;
const definitions: Record<string, FunctionDefinition> = FUNCTIONS;
const definition = definitions[name];
if (!definition?.sqs) {
  const consumers = Object.entries(definitions)
    .filter(([, d]) => d.sqs)
    .map(([key]) => key);
  process.stderr.write(`--function must name a queue consumer: ${consumers.join(', ')}\n`);
  process.exit(2);
}

const runtime = requireRuntimeFile(values['data-dir']);
for (const [key, value] of Object.entries(runtime.environment)) {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
const queue = runtime.queues[definition.sqs.queue];
if (!queue) throw new Error(`the running stack has no queue ${definition.sqs.queue}`);

const log = createLogger({ format: 'json', debug: true }, { worker: process.pid });
const client = new SQSClient({
  endpoint: runtime.sqsEndpoint,
  useQueueUrlAsEndpoint: false,
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
});
const source = startEventSource({
  function: {
    name,
    timeoutSeconds: definition.timeoutSeconds,
    memoryMB: definition.memoryMB,
    region: LOCAL_REGION,
  },
  // One poller: a worker is one more concurrent invocation, as in Lambda.
  trigger: { ...definition.sqs, maxConcurrency: 1 },
  queue,
  client,
  loadHandler: handlerLoader(definition),
  log,
  waitTimeSeconds: 1,
});
log.info('worker.ready', { function: name, queue: queue.url });

const stop = () => {
  source.stop({ graceMs: 5_000 }).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
