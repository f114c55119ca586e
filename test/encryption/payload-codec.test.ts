/** The payload codec: what Temporal stores is ciphertext, decodes back exactly, and refuses tampering. */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  parseEncryptionKeys,
  PayloadDecryptionError,
} from '../../encryption/payload-codec';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };
const input = { paymentId: 'p-1', paymentMethod: { type: 'card', number: '4242424242424242' }, amount: 1999 };

describe('AesGcmPayloadCodec', () => {
  it('stores no card number in clear and decodes to the same payload', async () => {
    const codec = new AesGcmPayloadCodec([k1]);
    const plain = defaultPayloadConverter.toPayload(input);
    const [encrypted] = await codec.encode([plain]);
    expect(Buffer.from(encrypted.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encrypted.data ?? []).toString('latin1')).not.toContain('4242424242424242');
    const [decoded] = await codec.decode([encrypted]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(input);
  });

  it('passes plain payloads (history written before encryption) through on decode', async () => {
    const plain = defaultPayloadConverter.toPayload({ old: true });
    expect(await new AesGcmPayloadCodec([k1]).decode([plain])).toEqual([plain]);
  });

  it('decrypts with an older key after rotation, and encrypts with the first', async () => {
    const [old] = await new AesGcmPayloadCodec([k1]).encode([defaultPayloadConverter.toPayload('x')]);
    const rotated = new AesGcmPayloadCodec([k2, k1]);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old]))[0])).toBe('x');
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload('y')]);
    expect(Buffer.from(fresh.metadata?.['encryption-key-id'] ?? []).toString()).toBe('k2');
  });

  it('refuses a tampered payload and one whose key it does not hold', async () => {
    const codec = new AesGcmPayloadCodec([k1]);
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(input)]);
    const data = Buffer.from(encrypted.data ?? []);
    data[20] ^= 1;
    await expect(codec.decode([{ ...encrypted, data }])).rejects.toBeInstanceOf(PayloadDecryptionError);
    await expect(new AesGcmPayloadCodec([k2]).decode([encrypted])).rejects.toThrow(/unknown key id 'k1'/);
  });

  it('parses a key list and refuses a wrong-length key', () => {
    const spec = `a:${randomBytes(32).toString('base64')},b:${randomBytes(32).toString('base64')}`;
    expect(parseEncryptionKeys(spec).map((k) => k.id)).toEqual(['a', 'b']);
    expect(() => new AesGcmPayloadCodec(parseEncryptionKeys(`a:${randomBytes(16).toString('base64')}`))).toThrow(
      /32 bytes/,
    );
  });
});
