#!/usr/bin/env node
// `npx crier <command>`: Crier's command line, run from its TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../infra/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
