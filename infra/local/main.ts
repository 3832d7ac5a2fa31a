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

/**
 * What another terminal needs in front of a command to reach this stack: nothing for the
 * defaults, else the same PORT and CRIER_DATA_DIR this one runs with.
 */
function envPrefix(dataDir: string): string {
  const quote = (value: string) =>
    /^[\w./:-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
  const parts: string[] = [];
  if (process.env.PORT && process.env.PORT !== '3000')
    parts.push(`PORT=${quote(process.env.PORT)}`);
  // Absolute, so the command works from any folder.
  if (process.env.CRIER_DATA_DIR) parts.push(`CRIER_DATA_DIR=${quote(dataDir)}`);
  return parts.map((part) => `${part} `).join('');
}

function banner(stack: LocalStack): string {
  const token = stack.secrets.editorToken.value;
  return [
    '',
    'Crier is running locally',
    `  editor UI        ${editorUiUrl(stack.url, token)}`,
    `  API              ${stack.url}`,
    `  health           GET ${stack.url}/healthz`,
    `  editor API       ${stack.url}/api/articles  with  Authorization: Bearer ${token}`,
    `  ${secretsLine(stack.secrets)}`,
    `  send the sample  ${envPrefix(stack.dataDir)}npm run send-sample`,
    `  list articles    curl -s -H 'Authorization: Bearer ${token}' ${stack.url}/api/articles`,
    `  data             ${stack.dataDir} (kept across restarts)`,
    'Ctrl-C stops.',
    '',
  ].join('\n');
}

// The SDK warns on Node 20 that its releases from 2027 will need Node 22; the versions
// pinned here run on 20, and the warning would only push the banner down.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
  stack = await startLocalStack({
    // Channels without credentials connect through their sandbox's sign-in.
    autoConnect: process.env.CRIER_SANDBOX_CONNECT?.trim().toLowerCase() !== 'off',
  });
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
