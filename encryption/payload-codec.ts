/**
 * Encrypts every payload Temporal stores (workflow inputs with card numbers, results, signals, memos) with
 * AES-256-GCM, so history in the server's database and in the UI never holds card data in clear. Keys carry an
 * id in the payload's metadata: add a new key first in the list to rotate, keep old ones to read old history.
 * Payloads written before encryption (plain encodings) are passed through on decode, so old runs replay.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface EncryptionKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: EncryptionKey;

  /** `keys[0]` encrypts; every key decrypts what was written with it. */
  constructor(keys: readonly EncryptionKey[]) {
    checkEncryptionKeys(keys);
    this.current = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private encrypt(payload: Payload): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: Buffer.from(this.current.id),
      },
      data,
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyId = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
    const key = this.byId.get(keyId);
    if (!key) throw new PayloadDecryptionError(`payload encrypted with unknown key id '${keyId}'`);
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`payload with key id '${keyId}' is too short to be ours`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain);
    } catch (err) {
      throw new PayloadDecryptionError(
        `payload with key id '${keyId}' failed authentication: ${(err as Error).message}`,
      );
    }
  }
}

function isEncrypted(payload: Payload): boolean {
  return Buffer.from(payload.metadata?.[METADATA_ENCODING_KEY] ?? []).toString() === ENCRYPTED_ENCODING;
}

/** Parses `id:base64key[,id:base64key…]` (the first encrypts) as found in PAYLOAD_ENCRYPTION_KEYS. */
export function parseEncryptionKeys(spec: string): EncryptionKey[] {
  const keys = spec.split(',').map((entry) => {
    const [id, b64] = entry.trim().split(':', 2);
    if (!id || !b64) throw new Error('each encryption key must be written as <id>:<base64 of 32 bytes>');
    return { id, key: Buffer.from(b64, 'base64') };
  });
  checkEncryptionKeys(keys);
  return keys;
}

/** At least one key, each of 32 bytes, no id twice (new payloads would be written with one, read with the other). */
function checkEncryptionKeys(keys: readonly EncryptionKey[]): void {
  if (keys.length === 0) throw new Error('at least one encryption key is needed');
  const seen = new Set<string>();
  for (const k of keys) {
    if (k.key.length !== 32) throw new Error(`encryption key ${k.id} must be 32 bytes, not ${k.key.length}`);
    if (seen.has(k.id)) throw new Error(`encryption key id ${k.id} appears more than once (ids must be unique)`);
    seen.add(k.id);
  }
}
