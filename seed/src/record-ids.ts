import { createHash, createHmac, hash, randomBytes } from 'node:crypto';

/** Hex digits of an id after its prefix: 80 bits, so 40 million ids collide with odds near 1 in 10⁹. */
const ID_HEX_DIGITS = 20;
/** SHA-256's block size in bytes: the HMAC pads' length. */
const SHA256_BLOCK = 64;

/**
 * Ids of seeded records a caller can see (arrests, alerts) that betray nothing about records the
 * caller cannot see (docs/design.md §4 rule 12). A global sequence (AR-00000001, …) would: the gap
 * between a person's visible arrests and the next person's is the count of their sealed and
 * juvenile ones. Here an id is a keyed hash (HMAC-SHA256) of the record's natural key — the
 * person it belongs to and its place among that person's records — under a secret key: without
 * the key, the id of one record says nothing about any other; with the same key (and the same
 * seed), re-seeding gives every record the same id again.
 */
export class RecordIds {
  private readonly key: Buffer;
  /** The key XOR the HMAC pads (RFC 2104), so each id is two one-shot hashes: `createHmac` costs half as much again. */
  private readonly innerPad: Buffer;
  private readonly outerPad: Buffer;

  /**
   * @param key the secret (SEED_ID_KEY); a fresh random one when omitted, so ids are unguessable
   *   but differ from one seeding to the next.
   */
  constructor(key?: string | Buffer) {
    if (typeof key === 'string' && key.length < 16) throw new RangeError('the record id key must be at least 16 characters');
    this.key = key === undefined ? randomBytes(32) : Buffer.isBuffer(key) ? key : Buffer.from(key, 'utf8');
    const block = Buffer.alloc(SHA256_BLOCK);
    (this.key.length > SHA256_BLOCK ? createHash('sha256').update(this.key).digest() : this.key).copy(block);
    this.innerPad = Buffer.from(block.map((b) => b ^ 0x36));
    this.outerPad = Buffer.from(block.map((b) => b ^ 0x5c));
  }

  /** The key, for a worker that must make the same ids (seeding generates on its own thread). */
  keyBytes(): Buffer {
    return Buffer.from(this.key);
  }

  /** The id of a person's `ordinal`-th arrest (1-based, in seeding order). */
  arrestId(personId: string, ordinal: number): string {
    return this.id('AR', `arrest:${personId}:${ordinal}`);
  }

  /** The id of the `ordinal`-th alert entered on a subject (1-based, in seeding order). */
  alertId(subjectId: string, ordinal: number): string {
    return this.id('AL', `alert:${subjectId}:${ordinal}`);
  }

  private id(prefix: string, naturalKey: string): string {
    return `${prefix}-${this.hmacHex(naturalKey).slice(0, ID_HEX_DIGITS).toUpperCase()}`;
  }

  /** HMAC-SHA256 of `message` under the key, in hex: the same digest as `createHmac`. */
  hmacHex(message: string): string {
    if (typeof hash !== 'function') return createHmac('sha256', this.key).update(message).digest('hex');
    const inner = hash('sha256', Buffer.concat([this.innerPad, Buffer.from(message, 'utf8')]), 'buffer');
    return hash('sha256', Buffer.concat([this.outerPad, inner]), 'hex');
  }
}

/** The shape of every id `RecordIds` makes (and migrations give records re-keyed from a sequence). */
export const OPAQUE_ID = new RegExp(`^(AR|AL)-[0-9A-F]{${ID_HEX_DIGITS}}$`);
