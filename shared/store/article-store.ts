/** Articles in the table: one item per article holding its newest revision. */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ValidationError } from '../domain/errors';
import { parseJson } from '../domain/json';
import {
  type ArticleListOptions,
  type ArticlePage,
  type ArticleRecord,
  type ArticleStore,
  type Clock,
  systemClock,
} from '../domain/ports';
import type { ChannelOverrides } from '../domain/routing';
import { TABLE } from '../resources';
import { batchGetAll, isConditionFailure } from './client';
import { articleItemSchema } from './items';
import { articleKey, articlesByTime, articlesMetaKey, monthOf } from './keys';

/**
 * Where a page stops: the month being read and the index position of the last article
 * read in it (none when the page stopped between months).
 */
const cursorSchema = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  after: z.string().optional(),
});
type Cursor = z.infer<typeof cursorSchema>;

/**
 * How many months one page may read. Months without articles cost a query each: past
 * this many the page ends, short or even empty, with a cursor to go on from.
 */
export const MAX_MONTHS_PER_PAGE = 12;

const notOurs = (message: string, cause?: unknown) =>
  new ValidationError('Invalid cursor', [{ field: 'cursor', message }], { cause });

const encodeCursor = (cursor: Cursor) =>
  Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');

/**
 * A cursor this list gave for this query: its month lies between the query's first and
 * last month, and its position within that month. Anything else (a forged month years
 * away would be walked one query a month) is refused.
 */
function decodeCursor(
  value: string,
  bounds: { topMonth: string; lastMonth: string },
): Cursor | undefined {
  const parsed = parseJson(cursorSchema, Buffer.from(value, 'base64url').toString('utf8'));
  if (!parsed.success) throw notOurs('is not a cursor this API gave', parsed.error);
  const { month, after } = parsed.data;
  if (month > bounds.topMonth || (after !== undefined && !after.startsWith(`${month}-`)))
    throw notOurs('is not a cursor this API gave for this list');
  // Below the query's oldest month: nothing is left to read.
  return month < bounds.lastMonth ? undefined : parsed.data;
}

function previousMonth(month: string): string {
  const [year, m] = month.split('-').map(Number);
  const date = new Date(Date.UTC(year ?? 1970, (m ?? 1) - 2, 1));
  return date.toISOString().slice(0, 7);
}

export class DynamoArticleStore implements ArticleStore {
  /** whether the list's first month is known to be stored: a write fewer each article */
  private firstMonthSet = false;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** decides which month is "this month", the newest the list reads */
    private readonly clock: Clock = systemClock,
  ) {}

  async putRevision(record: ArticleRecord): Promise<{ written: boolean; current: ArticleRecord }> {
    const { articleId, article, receivedAt } = record;
    const byTime = articlesByTime(receivedAt, articleId);
    try {
      // An update, not a put: a newer revision keeps the first arrival's place in the
      // editors' list and what was already composed.
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: articleKey(articleId),
          ConditionExpression: 'attribute_not_exists(PK) OR revision < :revision',
          UpdateExpression:
            'SET #type = :type, articleId = :articleId, article = :article, revision = :revision, ' +
            'updatedAt = :now, receivedAt = if_not_exists(receivedAt, :now), ' +
            'monthPK = if_not_exists(monthPK, :monthPK), monthSK = if_not_exists(monthSK, :monthSK)',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':type': 'article',
            ':articleId': articleId,
            ':article': article,
            ':revision': article.revision,
            ':now': receivedAt,
            ':monthPK': byTime.monthPK,
            ':monthSK': byTime.monthSK,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const current = articleItemSchema.parse(result.Attributes);
      // Where the list starts is set once and never moves: only a new article may be the
      // first, and once this store has seen it set, later articles cannot change it.
      if (!this.firstMonthSet && current.receivedAt === receivedAt) {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: articlesMetaKey,
            UpdateExpression: 'SET firstMonth = if_not_exists(firstMonth, :month)',
            ExpressionAttributeValues: { ':month': monthOf(receivedAt) },
          }),
        );
        this.firstMonthSet = true;
      }
      return { written: true, current };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.get(articleId);
      if (!current) throw error;
      return { written: false, current };
    }
  }

  async get(articleId: string): Promise<ArticleRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: articleKey(articleId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? articleItemSchema.parse(result.Item) : undefined;
  }

  async markComposed(articleId: string, revision: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: articleKey(articleId),
          ConditionExpression:
            'attribute_exists(PK) AND (attribute_not_exists(composedRevision) OR composedRevision < :revision)',
          UpdateExpression: 'SET composedRevision = :revision',
          ExpressionAttributeValues: { ':revision': revision },
        }),
      );
    } catch (error) {
      // Already marked for this or a newer revision: nothing to do.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async setChannelOverrides(
    articleId: string,
    previous: ChannelOverrides | undefined,
    next: ChannelOverrides,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: articleKey(articleId),
          // A field of its own, which putRevision never sets: a new revision keeps it.
          ConditionExpression: previous
            ? 'attribute_exists(PK) AND channelOverrides.version = :version'
            : 'attribute_exists(PK) AND attribute_not_exists(channelOverrides)',
          UpdateExpression: 'SET channelOverrides = :next',
          ExpressionAttributeValues: {
            ':next': next,
            ...(previous ? { ':version': previous.version } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Newest first, from the articles-by-time index, month by month back to the first
   * article's month. `from` and `to` bound `receivedAt` (both inclusive); the cursor is
   * the index position of the last article returned, or the month to go on from when
   * the page read MAX_MONTHS_PER_PAGE months without filling up.
   */
  async list({ limit, cursor, from, to }: ArticleListOptions): Promise<ArticlePage> {
    const meta = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: articlesMetaKey }),
    );
    const firstMonth = typeof meta.Item?.firstMonth === 'string' ? meta.Item.firstMonth : undefined;
    if (!firstMonth) return { articles: [] };

    const index = TABLE.indexes.articlesByTime;
    const articles: ArticleRecord[] = [];
    const thisMonth = monthOf(this.clock.now().toISOString());
    // Nothing is received in the future: a `to` beyond this month starts here.
    const topMonth = to && monthOf(to) < thisMonth ? monthOf(to) : thisMonth;
    const lastMonth = from && monthOf(from) > firstMonth ? monthOf(from) : firstMonth;
    // `~` sorts after every character of an id: every key of the instant `to` is in.
    const upTo = to ? `${to}#~` : undefined;
    const start = cursor ? decodeCursor(cursor, { topMonth, lastMonth }) : undefined;
    if (cursor && !start) return { articles: [] };
    let month = start?.month ?? topMonth;
    let after = start?.after;
    let monthsRead = 0;
    while (articles.length < limit && month >= lastMonth) {
      if (monthsRead === MAX_MONTHS_PER_PAGE) return { articles, cursor: encodeCursor({ month }) };
      monthsRead += 1;
      const bounds = sortKeyBounds(index.sortKey, { after, upTo, from });
      let startKey: Record<string, unknown> | undefined;
      do {
        // The index holds keys only: the page's keys, then its articles in one batch.
        const page = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: index.name,
            KeyConditionExpression: `${index.partitionKey} = :pk${bounds.condition}`,
            ExpressionAttributeValues: { ':pk': `ARTS#${month}`, ...bounds.values },
            ScanIndexForward: false,
            Limit: limit - articles.length,
            ExclusiveStartKey: startKey,
          }),
        );
        const keys = (page.Items ?? []).flatMap(({ PK, SK, [index.sortKey]: position }) =>
          // BETWEEN includes its upper bound; the cursor's own article was already given.
          (after !== undefined && position === after) ||
          typeof PK !== 'string' ||
          typeof SK !== 'string'
            ? []
            : [{ PK, SK }],
        );
        for (const item of await batchGetAll(this.db, this.tableName, keys)) {
          articles.push(articleItemSchema.parse(item));
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey && articles.length < limit);
      month = previousMonth(month);
      after = undefined;
    }
    const last = articles.at(-1);
    const more = articles.length >= limit && last !== undefined;
    return {
      articles,
      cursor: more
        ? encodeCursor({
            month: monthOf(last.receivedAt),
            after: articlesByTime(last.receivedAt, last.articleId).monthSK,
          })
        : undefined,
    };
  }
}

/**
 * The sort key condition for a page: below the cursor (exclusive) or `to` (inclusive),
 * and at or above `from`. DynamoDB takes one condition on the sort key, so both bounds
 * make a BETWEEN, and the caller drops the cursor's own item.
 */
export function sortKeyBounds(
  sortKey: string,
  { after, upTo, from }: { after?: string; upTo?: string; from?: string },
): { condition: string; values: Record<string, string> } {
  const upper =
    after !== undefined && (upTo === undefined || after <= upTo)
      ? { value: after, exclusive: true }
      : upTo !== undefined
        ? { value: upTo, exclusive: false }
        : undefined;
  if (from !== undefined && upper) {
    return {
      condition: ` AND ${sortKey} BETWEEN :from AND :upper`,
      values: { ':from': from, ':upper': upper.value },
    };
  }
  if (from !== undefined)
    return { condition: ` AND ${sortKey} >= :from`, values: { ':from': from } };
  if (upper) {
    return {
      condition: ` AND ${sortKey} ${upper.exclusive ? '<' : '<='} :upper`,
      values: { ':upper': upper.value },
    };
  }
  return { condition: '', values: {} };
}
