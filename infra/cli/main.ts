/** `crier <command>`: the command line's entry; each command lives in its own module. */

export type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

const USAGE = `Usage: crier <command> [options]

Commands:
  preview <url>                     the card, warnings and every channel's post for a page
  preview --html <file> --url <url> the same for a saved page
  help                              this text`;

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'preview': {
      const { runPreview } = await import('./preview');
      return runPreview(rest, io);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      io.stderr.write(`Unknown command: ${command}\n${USAGE}\n`);
      return 2;
  }
}
