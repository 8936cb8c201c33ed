/** The farm's secure HTTP layer: keys, identities, signatures, server, client, verified transfers, blob cache. */
export {
  type BlobCache,
  type BlobCacheOptions,
  type BlobLease,
  BlobVerificationError,
  createBlobCache,
} from './blob-cache.ts';
export {
  createFarmClient,
  type DownloadOptions,
  type FarmClient,
  type FarmClientOptions,
  type Peer,
  type UploadOptions,
} from './client.ts';
export {
  BodyMismatchError,
  BodyTooLargeError,
  errorBody,
  type FarmErrorBody,
  FarmHttpError,
  type FarmHttpErrorKind,
  Refusal,
} from './errors.ts';
export { ephemeralIdentity, loadNodeIdentity, NodeIdentity, nodeIdOf } from './identity.ts';
export {
  FarmKey,
  FarmKeyError,
  farmIdOf,
  farmKeyFromText,
  generateFarmKey,
  readFarmKey,
} from './key.ts';
export { NonceCache } from './nonce-cache.ts';
export { ID_PATTERN, isFarmId, isSha256, SHA256_PATTERN } from './patterns.ts';
export { type ReceivedFile, type ReceiveToFileOptions, receiveToFile } from './receive-file.ts';
export { sendCheckedFile } from './send-file.ts';
export type { SentContentExpectation } from './sent-content-check.ts';
export {
  createFarmServer,
  DEFAULT_MAX_JSON_BYTES,
  type FarmApp,
  type FarmServer,
  type FarmServerOptions,
  type RouteAuth,
} from './server.ts';
export {
  type AuthFailureReason,
  EMPTY_BODY_SHA256,
  FARM_HEADER,
  precheckRequest,
  signReply,
  signRequest,
  type VerifyResult,
  verifyReply,
  verifyRequest,
} from './signing.ts';
export { type Credentials, FarmTrust } from './trust.ts';
