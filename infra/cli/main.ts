/** `crier <command>`: the command line's entry; each command lives in its own module. */

/** process.stdout and process.stderr, or a test's buffers. */
export type Io = {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
};

const USAGE = `Usage: crier <command> [options]

Commands:
  preview <url>                     the card, warnings and every channel's post for a page
  preview --html <file> --url <url> the same for a saved page
  dlq redrive <compose|publish>     moves a dead-letter queue's messages back to its queue
  share reconcile <article> <channel>
                                    sends an unknown or stuck share to be reconciled
  channels import <file> [--yes]    shows, then makes, what a channels file changes in the table
  channels export [--site <id>]     prints a site's channels from the table as a channels file
  channels pause|resume <channel>   stops or restarts posting on a channel (--site: a whole site)
  channels archive <channel>        retires a channel and cancels its pending shares
  channels list | audit             the channels in the table, and who changed what
  help                              this text

Each command takes --help.`;

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'preview': {
      const { runPreview } = await import('./preview');
      return runPreview(rest, io);
    }
    case 'dlq': {
      const { runDlq } = await import('./dlq');
      return runDlq(rest, io);
    }
    case 'share': {
      const { runShare } = await import('./share');
      return runShare(rest, io);
    }
    case 'channels': {
      const { runChannels } = await import('./channels');
      return runChannels(rest, io);
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
