/**
 * The local stack's first start: a table that holds no channel gets the channels of
 * `CRIER_CONFIG`'s file, or the built-in default (one sandbox channel per network), as
 * `crier channels import` would write them, audited as `crier (first start)`. Later
 * starts leave the directory as it is: it is managed in the table from then on.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadChannelsConfig } from '../../shared/config/channels';
import type { Clock } from '../../shared/domain/ports';
import { DynamoChannelDirectory } from '../../shared/store/channel-directory';
import { applyImport, planImport } from '../../shared/usecases/import-channels';
import type { Logger } from './logger';

export const FIRST_START = 'crier (first start)';
/** The site the first start's channels belong to. */
export const FIRST_SITE_ID = 'default';

/** Imports the channels file into an empty directory; the number of channels written. */
export async function seedChannelDirectory(options: {
  client: DynamoDBClient;
  tableName: string;
  configPath: string | undefined;
  clock: Clock;
  log: Logger;
}): Promise<number> {
  const db = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const directory = new DynamoChannelDirectory(db, options.tableName, options.clock);
  if ((await directory.listChannels({ includeArchived: true })).length) return 0;
  const config = loadChannelsConfig(options.configPath);
  const plan = await planImport(directory, config, FIRST_SITE_ID);
  await applyImport(directory, plan, FIRST_START);
  // At debug, as stack.ready: the banner is the first thing a first start prints.
  options.log.debug('directory.seeded', {
    site: FIRST_SITE_ID,
    channels: plan.added.length,
    from: options.configPath ?? 'the built-in default',
  });
  return plan.added.length;
}
