/**
 * One account's repository in the Bluesky sandbox: records by collection and record key,
 * uploaded blobs, and the checks a PDS makes before it writes a record (lexicon
 * validation with @atproto/api's own lexicons, the record key's type, blob references).
 */
import { createHash } from 'node:crypto';
import {
  AppBskyEmbedExternal,
  AppBskyEmbedImages,
  AppBskyFeedPost,
  AppBskyRichtextFacet,
  type BlobRef,
  jsonToLex,
  lexicons,
} from '@atproto/api';
import { TID } from '@atproto/common-web';

export type XrpcFailure = { status: number; error: string; message: string };

export type StoredRecord = {
  uri: string;
  cid: string;
  collection: string;
  rkey: string;
  /** the record as the client sent it (JSON, blob refs as `$link`), which getRecord returns */
  value: Record<string, unknown>;
};

export type StoredBlob = { cid: string; mimeType: string; size: number };

/** What the sandbox hands to `SandboxPosts` for a post it accepted. */
export type PostSummary = {
  text: string;
  inReplyTo: string | null;
  card?: { url: string; title?: string; description?: string; thumb?: string };
  media?: { mimeType: string; bytes: number; alt?: string }[];
};

const TID_KEY = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;
const RECORD_KEY = /^[a-zA-Z0-9_~.:-]{1,512}$/;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * A CIDv1 (sha2-256) as the PDS prints one: `bafyrei…` for a record (dag-cbor), `bafkrei…`
 * for a blob (raw). The sandbox hashes the record's JSON, not its CBOR: the CID has the
 * right form, not the real network's value.
 */
export function cidFor(bytes: Uint8Array, codec: 'dag-cbor' | 'raw'): string {
  const digest = createHash('sha256').update(bytes).digest();
  const prefix = [0x01, codec === 'dag-cbor' ? 0x71 : 0x55, 0x12, 0x20];
  return `b${base32(Uint8Array.from([...prefix, ...digest]))}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const invalid = (message: string, error = 'InvalidRequest'): XrpcFailure => ({
  status: 400,
  error,
  message,
});

function checkRecordKey(collection: string, rkey: string): XrpcFailure | undefined {
  if (!RECORD_KEY.test(rkey) || rkey === '.' || rkey === '..') {
    return invalid('Input/rkey must be a valid Record Key');
  }
  const def = lexicons.getDef(collection);
  const keyType = def?.type === 'record' ? def.key : undefined;
  if (keyType === 'tid' && !TID_KEY.test(rkey)) {
    return invalid(`Invalid record key for ${collection}: Invalid TID string (got "${rkey}")`);
  }
  if (keyType?.startsWith('literal:') && rkey !== keyType.slice('literal:'.length)) {
    return invalid(`Invalid record key for ${collection}: must be "${keyType.slice(8)}"`);
  }
  return undefined;
}

/**
 * Facets whose byte range falls outside the text: the real PDS lets them through (the
 * lexicon only asks for non-negative integers) and apps drop them; the sandbox refuses
 * them so that a composer bug shows up in tests.
 */
function checkFacets(
  post: AppBskyFeedPost.Record,
  handleOf: HandleLookup | undefined,
): XrpcFailure | undefined {
  const text = Buffer.from(post.text, 'utf8');
  const bytes = text.length;
  for (const [i, facet] of (post.facets ?? []).entries()) {
    const { byteStart, byteEnd } = facet.index;
    if (byteStart >= byteEnd || byteEnd > bytes) {
      return invalid(
        `Invalid app.bsky.feed.post record: Record/facets/${i}/index [${byteStart}, ${byteEnd}) must lie within the text's ${bytes} bytes (a sandbox check)`,
      );
    }
    if (!handleOf) continue;
    for (const feature of facet.features) {
      if (!AppBskyRichtextFacet.isMention(feature)) continue;
      const mention = mentionFailure(
        text.subarray(byteStart, byteEnd).toString('utf8'),
        feature.did,
        handleOf,
      );
      if (mention) {
        return invalid(
          `Invalid app.bsky.feed.post record: Record/facets/${i}: ${mention} (a sandbox check)`,
        );
      }
    }
  }
  return undefined;
}

/** The handle a DID belongs to on this network, or undefined for a DID nobody has. */
export type HandleLookup = (did: string) => string | undefined;

/**
 * A mention whose DID is nobody's, or whose bytes are not `@` and that DID's handle: the
 * real PDS stores either (apps then link nowhere, or to someone the text does not name);
 * the sandbox refuses them so that a mention on the wrong bytes shows up in tests.
 */
function mentionFailure(covered: string, did: string, handleOf: HandleLookup): string | undefined {
  const handle = handleOf(did);
  if (!handle) return `the mention's DID ${did} is nobody's`;
  if (covered.toLowerCase() !== `@${handle}`) {
    return `the mention of ${did} covers "${covered}", not "@${handle}"`;
  }
  return undefined;
}

/**
 * Where a reply's references lead: a record of this sandbox, none (the URI names one of
 * its repositories, but no such record), or `elsewhere` (another server's repository).
 */
export type RecordLookup = (uri: string) => StoredRecord | undefined | 'elsewhere';

/**
 * A reply whose root or parent is not a record of this sandbox (or whose cid is not that
 * record's): the real PDS writes it anyway, since it does not look at other records, and
 * the AppView shows a reply to a post it cannot find; the sandbox refuses it so that a
 * client that loses track of its thread shows up in tests.
 */
function checkReply(post: AppBskyFeedPost.Record, lookup: RecordLookup): XrpcFailure | undefined {
  if (!post.reply) return undefined;
  for (const [name, ref] of [
    ['root', post.reply.root],
    ['parent', post.reply.parent],
  ] as const) {
    const found = lookup(ref.uri);
    if (found === 'elsewhere') continue;
    if (!found || found.cid !== ref.cid) {
      return invalid(
        `Invalid app.bsky.feed.post record: Record/reply/${name} ${ref.uri} (cid ${ref.cid}) is not a post of this server (a sandbox check)`,
      );
    }
  }
  return undefined;
}

/** A blob a post references, with the lexicon's limits and where it sits in the record. */
type BlobUse = { ref: BlobRef; path: string; maxSize?: number; accept?: string[] };

function blobConstraints(
  defUri: string,
  property: string,
): { maxSize?: number; accept?: string[] } {
  const def = lexicons.getDef(defUri);
  const prop = def?.type === 'object' ? def.properties[property] : undefined;
  return prop?.type === 'blob' ? { maxSize: prop.maxSize, accept: prop.accept } : {};
}

function blobUses(post: AppBskyFeedPost.Record): BlobUse[] {
  const { embed } = post;
  if (AppBskyEmbedExternal.isMain(embed) && embed.external.thumb) {
    return [
      {
        ref: embed.external.thumb,
        path: '$.record.embed.external.thumb',
        ...blobConstraints('app.bsky.embed.external#external', 'thumb'),
      },
    ];
  }
  if (AppBskyEmbedImages.isMain(embed)) {
    return embed.images.map((image, i) => ({
      ref: image.image,
      path: `$.record.embed.images[${i}].image`,
      ...blobConstraints('app.bsky.embed.images#image', 'image'),
    }));
  }
  return [];
}

function accepted(mimeType: string, accept: string[] | undefined): boolean {
  if (!accept || accept.includes('*/*')) return true;
  return accept.some((pattern) =>
    pattern.endsWith('/*') ? mimeType.startsWith(pattern.slice(0, -1)) : pattern === mimeType,
  );
}

export class Repo {
  private readonly records = new Map<string, StoredRecord>();
  private readonly blobs = new Map<string, StoredBlob>();

  constructor(readonly did: string) {}

  get(collection: string, rkey: string): StoredRecord | undefined {
    return this.records.get(`${collection}/${rkey}`);
  }

  /** Newest record key first, as the PDS lists them; `reverse` for oldest first. */
  list(collection: string, options: { limit: number; cursor?: string; reverse: boolean }) {
    const sorted = [...this.records.values()]
      .filter((r) => r.collection === collection)
      .sort((a, b) => (a.rkey < b.rkey ? -1 : a.rkey > b.rkey ? 1 : 0));
    if (!options.reverse) sorted.reverse();
    const { cursor } = options;
    const after = cursor
      ? sorted.filter((r) => (options.reverse ? r.rkey > cursor : r.rkey < cursor))
      : sorted;
    const page = after.slice(0, options.limit);
    const last = page.at(-1);
    return { records: page, cursor: page.length === options.limit && last ? last.rkey : undefined };
  }

  delete(collection: string, rkey: string): StoredRecord | undefined {
    const record = this.get(collection, rkey);
    if (record) this.records.delete(`${collection}/${rkey}`);
    return record;
  }

  addBlob(bytes: Buffer, mimeType: string): StoredBlob {
    const blob = { cid: cidFor(bytes, 'raw'), mimeType, size: bytes.length };
    this.blobs.set(blob.cid, blob);
    return blob;
  }

  /**
   * Validates and writes a record as createRecord does. A record key already in use
   * fails inside the repo's tree insert, which the PDS answers with a plain 500
   * (docs/networks.md, Findings 1).
   */
  create(input: {
    collection: string;
    rkey?: string;
    record: unknown;
    validate?: boolean;
    /** how a reply's root and parent are found; without it, replies go unchecked */
    lookup?: RecordLookup;
    /** whose handle a mention's DID is; without it, mentions go unchecked */
    handleOf?: HandleLookup;
  }): { ok: true; record: StoredRecord; post?: PostSummary } | { ok: false; failure: XrpcFailure } {
    const { collection } = input;
    if (!isObject(input.record))
      return { ok: false, failure: invalid('Input/record must be an object') };
    const value: Record<string, unknown> = { ...input.record };
    value.$type ??= collection;
    if (input.validate !== false && value.$type !== collection) {
      return {
        ok: false,
        failure: invalid(`Invalid $type: expected ${collection}, got ${String(value.$type)}`),
      };
    }

    let lex: unknown;
    try {
      lex = jsonToLex(value);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, failure: invalid(`Invalid record: ${message}`) };
    }
    const known = lexicons.getDef(collection)?.type === 'record';
    if (known && input.validate !== false) {
      try {
        lexicons.assertValidRecord(collection, lex);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { ok: false, failure: invalid(`Invalid ${collection} record: ${message}`) };
      }
    }

    const rkey = input.rkey ?? TID.nextStr();
    const keyFailure = checkRecordKey(collection, rkey);
    if (keyFailure && (input.validate !== false || !RECORD_KEY.test(rkey))) {
      return { ok: false, failure: keyFailure };
    }

    const parsedPost =
      collection === 'app.bsky.feed.post' ? AppBskyFeedPost.validateRecord(lex) : undefined;
    const post = parsedPost?.success ? parsedPost.value : undefined;
    if (post) {
      const facetFailure =
        checkFacets(post, input.handleOf) ?? (input.lookup && checkReply(post, input.lookup));
      if (facetFailure) return { ok: false, failure: facetFailure };
    }

    if (this.records.has(`${collection}/${rkey}`)) {
      return {
        ok: false,
        failure: { status: 500, error: 'InternalServerError', message: 'Internal Server Error' },
      };
    }

    if (post) {
      const blobFailure = this.checkBlobs(post);
      if (blobFailure) return { ok: false, failure: blobFailure };
    }

    const record: StoredRecord = {
      uri: `at://${this.did}/${collection}/${rkey}`,
      cid: cidFor(Buffer.from(JSON.stringify(value)), 'dag-cbor'),
      collection,
      rkey,
      value,
    };
    this.records.set(`${collection}/${rkey}`, record);
    return { ok: true, record, ...(post ? { post: summarize(post) } : {}) };
  }

  /**
   * The PDS's checks of a referenced blob: the reference's own size and type against the
   * lexicon's limits (a 400 `InvalidRequest` worded as its record validation words it),
   * then that the blob was uploaded. The stored blob's size and type are not compared
   * with the reference's: the PDS takes a reference that names others.
   */
  private checkBlobs(post: AppBskyFeedPost.Record): XrpcFailure | undefined {
    for (const use of blobUses(post)) {
      const { size, mimeType } = use.ref;
      if (use.maxSize !== undefined && size > use.maxSize) {
        return invalid(
          `Invalid app.bsky.feed.post record: blob too big (maximum ${use.maxSize}, got ${size}) at ${use.path}`,
        );
      }
      if (!accepted(mimeType, use.accept)) {
        return invalid(
          `Invalid app.bsky.feed.post record: Expected "${use.accept?.join('", "')}" (got "${mimeType}") at ${use.path}.mimeType`,
        );
      }
    }
    for (const use of blobUses(post)) {
      const cid = use.ref.ref.toString();
      if (!this.blobs.has(cid)) return invalid(`Could not find blob: ${cid}`, 'BlobNotFound');
    }
    return undefined;
  }
}

function summarize(post: AppBskyFeedPost.Record): PostSummary {
  const { embed } = post;
  const summary: PostSummary = { text: post.text, inReplyTo: post.reply?.parent.uri ?? null };
  if (AppBskyEmbedExternal.isMain(embed)) {
    const { external } = embed;
    summary.card = {
      url: external.uri,
      title: external.title,
      description: external.description,
      ...(external.thumb ? { thumb: external.thumb.ref.toString() } : {}),
    };
  }
  if (AppBskyEmbedImages.isMain(embed)) {
    summary.media = embed.images.map((image) => ({
      mimeType: image.image.mimeType,
      bytes: image.image.size,
      alt: image.alt,
    }));
  }
  return summary;
}
