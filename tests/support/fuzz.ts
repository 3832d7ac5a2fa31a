/**
 * Runs fast-check properties for the fuzz tests: run counts sized for a shared CI machine,
 * a seed chosen up front and printed with any failure, and a way to replay it
 * (`CRIER_FUZZ_SEED`, `CRIER_FUZZ_PATH`) or to run longer (`CRIER_FUZZ_RUNS=10` runs ten times as many).
 */
import fc from 'fast-check';

function numberFromEnv(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new Error(`${name} must be a number, not ${value}`);
  return number;
}

/** How many times the usual runs `CRIER_FUZZ_RUNS` asks for. */
function runScale(): number {
  return numberFromEnv('CRIER_FUZZ_RUNS') ?? 1;
}

/** A test's timeout for its usual runs, stretched with `CRIER_FUZZ_RUNS`. */
export function fuzzTimeout(milliseconds: number): number {
  return Math.round(milliseconds * Math.max(1, runScale()));
}

/** The runs, seed and replay path for one property. */
export function fuzzParameters<Ts>(numRuns: number): fc.Parameters<Ts> {
  const scale = runScale();
  const seed = numberFromEnv('CRIER_FUZZ_SEED') ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const path = process.env.CRIER_FUZZ_PATH;
  return {
    numRuns: Math.max(1, Math.round(numRuns * scale)),
    seed,
    ...(path ? { path } : {}),
    // Shrinking a counterexample reruns the property many times: bounded, it still ends
    // with the smallest counterexample found so far.
    plugins: [fc.interruptAfterTimeLimit(fuzzTimeout(60_000))],
  };
}

/**
 * Checks a property and, when it fails, throws fast-check's report (the shrunk
 * counterexample) with the seed and path to replay it.
 */
export async function checkProperty<Ts>(
  property: fc.IRawProperty<Ts>,
  numRuns: number,
): Promise<void> {
  const parameters = fuzzParameters<Ts>(numRuns);
  const details = await fc.check(property, parameters);
  if (!details.failed) return;
  const report = await fc.asyncDefaultReportMessage(details);
  const replay = `CRIER_FUZZ_SEED=${details.seed} CRIER_FUZZ_PATH=${details.counterexamplePath ?? ''}`;
  throw new Error(`${report ?? 'Property failed'}\nReplay: ${replay} npx vitest run <this file>`, {
    cause: details.errorInstance,
  });
}
