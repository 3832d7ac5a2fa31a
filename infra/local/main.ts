/**
 * `npm start`: the local stack with the real functions, a short banner, and a clean stop
 * on Ctrl-C (a second Ctrl-C forces the exit). The table is kept for the next start.
 */
import { editorUiUrl } from './editor-ui';
import { DataDirInUseError } from './lock';
import type { LocalSecrets } from './secrets';
import { type LocalStack, startLocalStack } from './stack';

function secretsLine(secrets: LocalSecrets): string {
  const describe = (source: string) => (source === 'environment' ? 'from the environment' : source);
  const sources = {
    generic: describe(secrets.webhookSecret.source),
    Ghost: describe(secrets.ghostSecret.source),
    syndication: describe(secrets.syndicationSecret.source),
  };
  const distinct = new Set(Object.values(sources));
  return distinct.size === 1
    ? `webhook secrets  ${sources.generic} (generic, Ghost, syndication)`
    : `webhook secrets  ${Object.entries(sources)
        .map(([name, source]) => `${name}: ${source}`)
        .join('; ')}`;
}

function banner(stack: LocalStack): string {
  return [
    '',
    'Crier is running locally',
    `  editor UI        ${editorUiUrl(stack.url, stack.secrets.editorToken.value)}`,
    `  API              ${stack.url}`,
    `  health           GET ${stack.url}/healthz`,
    `  editor API       ${stack.url}/api/articles  with  Authorization: Bearer ${stack.secrets.editorToken.value}`,
    `  ${secretsLine(stack.secrets)}`,
    '  send the sample  npm run send-sample',
    `  data             ${stack.dataDir} (kept across restarts)`,
    'Ctrl-C stops.',
    '',
  ].join('\n');
}

let stack: LocalStack | undefined;
let stopRequested = false;

function onSignal(signal: NodeJS.Signals): void {
  if (stopRequested) {
    process.stderr.write(`${signal} again: exiting now\n`);
    process.exit(130);
  }
  stopRequested = true;
  process.stderr.write(`\n${signal}: stopping (press Ctrl-C again to force)\n`);
  stack?.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  stack = await startLocalStack();
} catch (error) {
  if (error instanceof DataDirInUseError) {
    process.stderr.write(`Crier could not start: ${error.message}\n`);
  } else {
    console.error('Crier could not start:', error);
  }
  process.exit(1);
}

if (stopRequested) {
  await stack.stop();
  process.exit(0);
}
process.stdout.write(`${banner(stack)}\n`);
