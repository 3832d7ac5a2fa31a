/**
 * A channel's calendar in the table: slot reservations (`CH#<channelId>` / `SLOT#<instant>`,
 * each written with a condition, never in a transaction), the planning lease
 * (`CH#<channelId>` / `PLAN`) and the channel timeline index.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { ShareRef, SlotReservation, SlotStore, TimelineEntry } from '../domain/ports';
import { SHARE_STATUSES } from '../domain/share-state';
import { TABLE } from '../resources';
import { isConditionFailure, queryAll } from './client';
import { holderOf, planningLockKey, shareRefOf, slotKey } from './keys';

/** Reservations outlive their slot by this long, then DynamoDB may delete them. */
const KEEP_SECONDS = 30 * 24 * 3600;

const reservationItemSchema = z.object({
  channelId: z.string(),
  instant: z.string(),
  holder: z.string(),
  createdAt: z.string(),
});

const timelineItemSchema = z.object({
  articleId: z.string(),
  channelId: z.string(),
  round: z.number().int().min(2).optional(),
  dueAt: z.string(),
  status: z.enum(SHARE_STATUSES),
});

function toReservation(row: Record<string, unknown>): SlotReservation | undefined {
  const item = reservationItemSchema.parse(row);
  const holder = shareRefOf(item.holder);
  return holder ? { ...item, holder } : undefined;
}

export class DynamoSlotStore implements SlotStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private item(reservation: SlotReservation) {
    return {
      ...slotKey(reservation.channelId, reservation.instant),
      type: 'slot',
      channelId: reservation.channelId,
      instant: reservation.instant,
      holder: holderOf(reservation.holder),
      createdAt: reservation.createdAt,
      [TABLE.ttlAttribute]: Math.floor(Date.parse(reservation.instant) / 1000) + KEEP_SECONDS,
    };
  }

  async lock(channelId: string, owner: string, now: string, until: string): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...planningLockKey(channelId),
            type: 'planning-lock',
            owner,
            leaseUntil: until,
            [TABLE.ttlAttribute]: Math.floor(Date.parse(until) / 1000) + 3600,
          },
          ConditionExpression: 'attribute_not_exists(PK) OR leaseUntil < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async unlock(channelId: string, owner: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: planningLockKey(channelId),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      // The lease ran out and another planner holds it now: not this owner's to end.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async reserve(reservation: SlotReservation): Promise<SlotReservation> {
    // A slot freed between the failed write and the read is tried again, a few times.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: this.item(reservation),
            ConditionExpression: 'attribute_not_exists(PK) OR #holder = :holder',
            ExpressionAttributeNames: { '#holder': 'holder' },
            ExpressionAttributeValues: { ':holder': holderOf(reservation.holder) },
          }),
        );
        return reservation;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      // dynalite ignores ReturnValuesOnConditionCheckFailure: read who holds it instead.
      const { Item } = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: slotKey(reservation.channelId, reservation.instant),
          ConsistentRead: true,
        }),
      );
      const holder = Item ? toReservation(Item) : undefined;
      if (holder) return holder;
    }
    throw new Error(`slot ${reservation.instant} on ${reservation.channelId} keeps changing hands`);
  }

  async takeOver(stale: SlotReservation, next: SlotReservation): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(next),
          ConditionExpression: '#holder = :holder AND createdAt = :createdAt',
          ExpressionAttributeNames: { '#holder': 'holder' },
          ExpressionAttributeValues: {
            ':holder': holderOf(stale.holder),
            ':createdAt': stale.createdAt,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async release(channelId: string, instant: string, holder: ShareRef): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: slotKey(channelId, instant),
          ConditionExpression: '#holder = :holder',
          ExpressionAttributeNames: { '#holder': 'holder' },
          ExpressionAttributeValues: { ':holder': holderOf(holder) },
        }),
      );
    } catch (error) {
      // Gone already, or another share's now: either way not this holder's to free.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async reservations(channelId: string, from: string, to: string): Promise<SlotReservation[]> {
    const { PK } = slotKey(channelId, from);
    const rows = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': PK,
        ':from': slotKey(channelId, from).SK,
        ':to': slotKey(channelId, to).SK,
      },
      ConsistentRead: true,
    });
    return rows.flatMap((row) => toReservation(row) ?? []);
  }

  async timeline(channelId: string, from: string, to: string): Promise<TimelineEntry[]> {
    const index = TABLE.indexes.channelTimeline;
    const rows = await queryAll(this.db, this.tableName, {
      IndexName: index.name,
      KeyConditionExpression: `${index.partitionKey} = :pk AND ${index.sortKey} BETWEEN :from AND :to`,
      // `~` sorts after every character of an id: every share due at `to` is in.
      ExpressionAttributeValues: { ':pk': `CH#${channelId}`, ':from': from, ':to': `${to}#~` },
      ProjectionExpression: 'articleId, channelId, round, dueAt, #status',
      ExpressionAttributeNames: { '#status': 'status' },
    });
    return rows.map((row) => {
      const { round, ...entry } = timelineItemSchema.parse(row);
      return round ? { ...entry, round } : entry;
    });
  }
}
