/** A fixed test key, so histories recorded by the tests (encrypted) can be replayed by test/replay. */
import { encryptedDataConverter } from '../../encryption/data-converter';

const TEST_KEY = Buffer.alloc(32, 7);
export const TEST_ENCRYPTION_KEYS = [{ id: 'test', key: TEST_KEY }];
export const TEST_DATA_CONVERTER = encryptedDataConverter(TEST_ENCRYPTION_KEYS);
/** The codec inside it, for the API's /codec routes in tests. */
export const TEST_CODEC = TEST_DATA_CONVERTER.payloadCodecs[0];
/** The same key as `PAYLOAD_ENCRYPTION_KEYS`, for processes the tests spawn (the CLI). */
export const TEST_ENCRYPTION_KEYS_ENV = `test:${TEST_KEY.toString('base64')}`;
