/** A fixed test key, so histories recorded by the tests (encrypted) can be replayed by test/replay. */
import { encryptedDataConverter } from '../../bootstrap/data-converter';

export const TEST_ENCRYPTION_KEYS = [{ id: 'test', key: Buffer.alloc(32, 7) }];
export const TEST_DATA_CONVERTER = encryptedDataConverter(TEST_ENCRYPTION_KEYS);
