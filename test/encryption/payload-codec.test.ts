/** The payload codec: what Temporal stores is ciphertext, decodes back exactly, and refuses tampering. */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  parseEncryptionKeys,
  PayloadDecryptionError,
} from '../../encryption/payload-codec';
import { encryptsWithDevKey, parseConfig } from '../../config';

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

  it('refuses a key list with a repeated id, which would write with one key and read with the other', () => {
    expect(() => new AesGcmPayloadCodec([k1, { id: 'k1', key: randomBytes(32) }])).toThrow(/more than once/);
  });

  it('refuses data too short to hold an IV and a full authentication tag', async () => {
    const codec = new AesGcmPayloadCodec([k1]);
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(input)]);
    const short = { ...encrypted, data: Buffer.from(encrypted.data ?? []).subarray(0, 20) };
    await expect(codec.decode([short])).rejects.toThrow(/too short/);
  });
});

describe('PAYLOAD_ENCRYPTION_KEYS and CODEC_CORS_ORIGINS', () => {
  const key = () => randomBytes(32).toString('base64');

  it('uses the public development key by default, and says so', () => {
    const cfg = parseConfig({});
    expect(cfg.PAYLOAD_ENCRYPTION_KEYS.map((k) => k.id)).toEqual(['dev']);
    expect(encryptsWithDevKey(cfg)).toBe(true);
    expect(encryptsWithDevKey(parseConfig({ PAYLOAD_ENCRYPTION_KEYS: `prod:${key()}` }))).toBe(false);
  });

  it('fails fast on a repeated key id, a malformed entry or a wrong-length key', () => {
    expect(() => parseConfig({ PAYLOAD_ENCRYPTION_KEYS: `a:${key()},a:${key()}` })).toThrow(/unique/);
    expect(() => parseConfig({ PAYLOAD_ENCRYPTION_KEYS: 'no-colon' })).toThrow(/<id>:<base64/);
    expect(() => parseConfig({ PAYLOAD_ENCRYPTION_KEYS: `a:${randomBytes(16).toString('base64')}` })).toThrow(
      /32 bytes/,
    );
  });

  it('normalises codec origins to what browsers send, and refuses non-URLs', () => {
    const cfg = parseConfig({ CODEC_CORS_ORIGINS: 'http://localhost:8233/, http://127.0.0.1:8233' });
    expect(cfg.CODEC_CORS_ORIGINS).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
    expect(parseConfig({}).CODEC_CORS_ORIGINS).toBeUndefined();
    expect(() => parseConfig({ CODEC_CORS_ORIGINS: 'localhost' })).toThrow();
  });
});
