/** The one data converter every Temporal client and worker of this system uses: payloads encrypted at rest. */
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, type EncryptionKey } from './payload-codec';

/** Its codec is exposed, so a process that also serves it (the API's /codec) uses the same instance. */
export function encryptedDataConverter(
  keys: readonly EncryptionKey[],
): DataConverter & { payloadCodecs: [AesGcmPayloadCodec] } {
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)] };
}
