/**
 * A correction note's record key: a TID (Finding 2) made from the note's key and its
 * parent, so every attempt at the same note writes under the same key and a repeat
 * collides instead of posting twice. Its time is just after the parent's own (the parent's
 * record key is a TID of when it was posted), which keeps the key plausible and ordered
 * after the post it answers.
 */
import { createHash } from 'node:crypto';
import { AtUri } from '@atproto/api';
import { TID } from '@atproto/common-web';

/** The note's time: within the second after the parent's, spread by the key's hash. */
const SPREAD_MICROS = 1_000_000;

export function noteRecordKey(parentId: string, key: string): string {
  const hash = createHash('sha256').update(`${parentId}\n${key}`).digest();
  let parentMicros: number | undefined;
  try {
    const rkey = new AtUri(parentId).rkey;
    if (TID.is(rkey)) parentMicros = TID.fromStr(rkey).timestamp();
  } catch {
    parentMicros = undefined;
  }
  // A parent without a TID key (never one Crier wrote): a time from the hash, in 2024-2026.
  const base = parentMicros ?? Date.UTC(2024, 0, 1) * 1000 + (hash.readUIntBE(6, 6) % 6e13);
  const micros = base + 1 + (hash.readUInt32BE(0) % SPREAD_MICROS);
  const clock = hash.readUInt16BE(4) % 1024;
  return TID.fromTime(micros, clock).toString();
}
