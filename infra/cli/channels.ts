/**
 * `crier channels ...`: the channel directory in the table (docs/configuring.md, "Channels
 * in the table"). `import <file>` shows what the file would change and makes it with
 * `--yes`; `export` prints a site's channels as a channels file; `pause` and `resume` stop
 * and restart a channel or a whole site; `list` and `audit` show what is there and who
 * changed it. Where: as for crier dlq redrive (--local, --stage, or TABLE_NAME).
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigError, parseChannelsConfig } from '../../shared/config/channels';
import { type ChannelDirectory, effectiveStatus } from '../../shared/domain/channel-directory';
import { CrierError } from '../../shared/domain/errors';
import { systemClock } from '../../shared/domain/ports';
import { DynamoChannelDirectory } from '../../shared/store/channel-directory';
import { DynamoChannelTimeline } from '../../shared/store/channel-timeline';
import { DynamoShareStore } from '../../shared/store/share-store';
import { type ArchiveReport, archiveChannel } from '../../shared/usecases/archive-channel';
import {
  applyImport,
  describePlan,
  exportChannels,
  planImport,
  planIsEmpty,
} from '../../shared/usecases/import-channels';
import { readArgs } from './args';
import { CliError, type CommandIo, resolveTarget, type Target } from './target';

const WHERE = '[--local <dir> | --stage <stage>] [--table <name>]';

export const CHANNELS_USAGE = `Usage: crier channels import <file> [--site <id>] [--yes] ${WHERE}
       crier channels export [--site <id>] ${WHERE}
       crier channels pause|resume <channelId> ${WHERE}
       crier channels pause|resume --site <id> ${WHERE}
       crier channels archive <channelId> ${WHERE}
       crier channels list [--site <id>] [--archived] ${WHERE}
       crier channels audit [--site <id>] [--limit <n>] ${WHERE}`;

const HELP = `${CHANNELS_USAGE}

The channels and sites Crier posts with live in the table; every change is checked as
the channels file is, and audited (who, when, before and after).

  import <file>   compares a channels file (the CRIER_CONFIG format) with the site's
                  channels in the table and prints the difference: + added, ~ changed
                  (with the changed fields), - archived (in the table, not in the file).
                  Nothing is written without --yes. Importing the same file again
                  changes nothing. A paused channel stays paused; an archived one in
                  the file is restored. The file's authors, feeds and syndication stay
                  with CRIER_CONFIG.
  export          prints the site's channels (archived ones left out) as a channels
                  file, which imports back with no change.
  pause, resume   stops or restarts posting on a channel, or on every channel of a site
                  (--site): shares wait, scheduled, until it is resumed.
  archive         retires a channel: it takes no new article, and its shares not yet
                  out (draft, scheduled, queued) are cancelled with the reason. Its
                  published posts can still be withdrawn or edited. An import that
                  leaves a channel out archives it the same way.
  list            the channels, with their site and status.
  audit           the latest changes, newest first (--limit, 20 by default).

--site: the site's id; by default the only site in the table (import: "default" when the
table has none). Where: as for crier dlq redrive (--local, --stage, or TABLE_NAME from
the environment).

Exit status: 0 done (import without --yes: the difference printed), 1 failed or refused,
2 bad arguments.`;

const OPTIONS = {
  local: { type: 'string' },
  stage: { type: 'string' },
  table: { type: 'string' },
  site: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  archived: { type: 'boolean' },
  limit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = Exclude<ReturnType<typeof readArgs<typeof OPTIONS>>, number>['values'];

export async function runChannels(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArgs(argv, OPTIONS, io, { usage: CHANNELS_USAGE, help: HELP });
  if (typeof parsed === 'number') return parsed;
  const [action, ...args] = parsed.positionals;
  let target: Target | undefined;
  try {
    const run = commandOf(action, args, parsed.values);
    target = resolveTarget({
      local: parsed.values.local,
      stage: parsed.values.stage,
      table: parsed.values.table,
    });
    const db = DynamoDBDocumentClient.from(target.dynamo, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const table = target.tableName();
    const directory = new DynamoChannelDirectory(db, table, systemClock);
    const archive: Archive = (channelId, write) =>
      archiveChannel(
        {
          directory,
          timeline: new DynamoChannelTimeline(db, table),
          shares: new DynamoShareStore(db, table),
          clock: systemClock,
        },
        channelId,
        write,
      );
    return await run(directory, io, target.description, archive);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const issues =
      error instanceof CrierError && 'issues' in error && Array.isArray(error.issues)
        ? error.issues.map(
            (i: { field: string; message: string }) => `\n  ${i.field}: ${i.message}`,
          )
        : [];
    io.stderr.write(`crier channels ${action ?? ''}: ${message}${issues.join('')}\n`);
    if (error instanceof CliError && error.exitCode === 2) io.stderr.write(`${CHANNELS_USAGE}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  } finally {
    target?.destroy();
  }
}

type Archive = (
  channelId: string,
  write: { who: string; expectedVersion?: number },
) => Promise<ArchiveReport>;

type Command = (
  directory: ChannelDirectory,
  io: CommandIo,
  where: string,
  archive: Archive,
) => Promise<number>;

const who = () => `operator ${userInfo().username}`;

function commandOf(action: string | undefined, args: string[], values: Values): Command {
  const arity = (n: number) => {
    if (args.length !== n) throw new CliError(`channels ${action} takes ${n} argument(s)`, 2);
  };
  switch (action) {
    case 'import': {
      arity(1);
      const file = args[0] ?? '';
      return (directory, io, where, archive) =>
        importFile(directory, io, where, file, values, archive);
    }
    case 'export':
      arity(0);
      return async (directory, io) => {
        const siteId = await siteIdOf(directory, values.site);
        const exported = await exportChannels(directory, siteId);
        if (!exported) throw new CliError(`No site ${siteId}`);
        io.stdout.write(`${JSON.stringify(exported, null, 2)}\n`);
        return 0;
      };
    case 'pause':
    case 'resume': {
      if (values.site !== undefined) arity(0);
      else arity(1);
      const channelId = args[0];
      return async (directory, io, where) => {
        if (channelId === undefined) {
          const siteId = values.site ?? '';
          const site =
            action === 'pause'
              ? await directory.pauseSite(siteId, { who: who() })
              : await directory.resumeSite(siteId, { who: who() });
          io.stdout.write(`Site ${site.id} is ${site.status} on ${where}${lag}.\n`);
        } else {
          const channel =
            action === 'pause'
              ? await directory.pauseChannel(channelId, { who: who() })
              : await directory.resumeChannel(channelId, { who: who() });
          io.stdout.write(`Channel ${channel.id} is ${channel.status} on ${where}${lag}.\n`);
        }
        return 0;
      };
    }
    case 'archive': {
      arity(1);
      const channelId = args[0] ?? '';
      return async (_directory, io, where, archive) => {
        const report = await archive(channelId, { who: who() });
        io.stdout.write(
          `Channel ${report.channel.id} is archived on ${where}${lag}; ` +
            `${report.cancelled.length} pending share(s) cancelled.\n`,
        );
        if (report.contended.length) {
          io.stdout.write(
            `Changed meanwhile, left as they are (cancelled at their claim if still pending): ${report.contended.join(', ')}\n`,
          );
        }
        return 0;
      };
    }
    case 'list':
      arity(0);
      return async (directory, io) => {
        const sites = new Map((await directory.listSites()).map((s) => [s.id, s]));
        const channels = await directory.listChannels({
          siteId: values.site,
          includeArchived: values.archived,
        });
        for (const site of sites.values()) {
          if (values.site === undefined || site.id === values.site)
            io.stdout.write(`site ${site.id}  ${site.status}  v${site.version}  ${site.name}\n`);
        }
        for (const c of channels) {
          const status = effectiveStatus(c, sites.get(c.siteId));
          io.stdout.write(
            `${c.id}  ${c.platform}  ${c.account}  site ${c.siteId}  ${status}  v${c.version}\n`,
          );
        }
        return 0;
      };
    case 'audit': {
      arity(0);
      const limit = Number(values.limit ?? 20);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new CliError('--limit takes a whole number from 1 to 1000', 2);
      return async (directory, io) => {
        const { entries } = await directory.listAudit({ siteId: values.site, limit });
        for (const e of entries) {
          io.stdout.write(`${e.at}  ${e.who}  ${e.action}  ${e.target}  v${e.version}\n`);
        }
        return 0;
      };
    }
    default:
      throw new CliError(action ? `Unknown action: ${action}` : 'Name an action', 2);
  }
}

const lag = ' (the functions see it within a minute)';

async function importFile(
  directory: ChannelDirectory,
  io: CommandIo,
  where: string,
  file: string,
  values: Values,
  archive: Archive,
): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(
      `Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  let config: ReturnType<typeof parseChannelsConfig>;
  try {
    config = parseChannelsConfig(raw, file);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  const siteId = await siteIdOf(directory, values.site, 'default');
  const plan = await planImport(directory, config, siteId);
  io.stdout.write(`${file} into site ${siteId} on ${where}:\n${describePlan(plan)}\n`);
  if (planIsEmpty(plan)) return 0;
  if (!values.yes) {
    io.stdout.write('Nothing written: run again with --yes to apply.\n');
    return 0;
  }
  await applyImport(directory, plan, who(), archive);
  io.stdout.write(`Applied${lag}.\n`);
  return 0;
}

/** The site asked for, or the only one in the table (or `fallback` when there is none). */
async function siteIdOf(
  directory: ChannelDirectory,
  asked: string | undefined,
  fallback?: string,
): Promise<string> {
  if (asked !== undefined) return asked;
  const sites = await directory.listSites();
  const [only, ...others] = sites;
  if (only && !others.length) return only.id;
  if (!only && fallback) return fallback;
  throw new CliError(
    only
      ? `The table holds sites ${sites.map((s) => s.id).join(', ')}: name one with --site`
      : 'The table holds no site yet: import a channels file first',
  );
}
