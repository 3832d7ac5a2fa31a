/**
 * A local stack in a process of its own, for tests that kill it (SIGKILL) and start
 * another on the same data folder: the functions' clients are made once per process, so
 * a restart in the test's own process would keep talking to the first stack's emulators.
 * PORT and CRIER_DATA_DIR as for `npm start`; CRIER_TEST_PAUSED lists functions whose
 * queue nobody consumes (comma-separated), so their messages are still queued at the kill.
 */

import { startLocalStack } from '../../infra/local/stack';
import { FUNCTIONS } from '../../shared/resources';

const paused = new Set((process.env.CRIER_TEST_PAUSED ?? '').split(',').filter(Boolean));
const functions = Object.fromEntries(
  Object.entries(FUNCTIONS).map(([name, definition]) => [
    name,
    paused.has(name) ? { ...definition, sqs: undefined } : definition,
  ]),
);

const stack = await startLocalStack({
  port: Number(process.env.PORT ?? 0),
  dataDir: process.env.CRIER_DATA_DIR,
  tickSeconds: Number(process.env.CRIER_TICK_SECONDS ?? 1),
  functions,
  quiet: true,
  autoConnect: false,
});
process.stdout.write(`${JSON.stringify({ ready: stack.url, sqs: stack.sqsEndpoint })}\n`);
