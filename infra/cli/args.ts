/**
 * A command's arguments, read the one way every command reads them: strict, with
 * positionals; `--help` prints the command's help, and a bad option its usage (exit 2).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CommandIo } from './target';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed arguments, or the exit code when the command is already answered. */
export function readArgs<const T extends Options>(
  argv: string[],
  options: T,
  io: CommandIo,
  text: { usage: string; help: string },
) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    // unknown options, a missing value: node's own message says which
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${text.usage}\n`);
    return 2;
  }
  if ((parsed.values as { help?: unknown }).help) {
    io.stdout.write(`${text.help}\n`);
    return 0;
  }
  return parsed;
}
