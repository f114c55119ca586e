/** The one data converter every Temporal client and worker of this system uses: payloads encrypted at rest. */
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, type EncryptionKey } from '../encryption/payload-codec';

export function encryptedDataConverter(keys: readonly EncryptionKey[]): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)] };
}
