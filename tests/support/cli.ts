/** Runs a `crier` command in-process against a local stack's data folder, as a shell would. */
import { main } from '../../infra/cli/main';

export type CliRun = { code: number; stdout: string; stderr: string };

export async function runCrier(dataDir: string, ...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv, '--local', dataDir], {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { code, stdout, stderr };
}
