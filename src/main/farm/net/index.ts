/** The farm's secure network layer: keys, identities, signatures, its server and client, the blob cache. */
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
export { FarmHttpError, type FarmHttpErrorKind } from './errors.ts';
export { createFarmServer, type FarmServer, type FarmServerOptions } from './farm-server.ts';
export { ephemeralIdentity, loadNodeIdentity, NodeIdentity, nodeIdOf } from './identity.ts';
export {
  FarmKey,
  FarmKeyError,
  farmHmac,
  farmIdOf,
  farmKeyFromText,
  generateFarmKey,
  readFarmKey,
} from './key.ts';
export { NonceCache } from './nonce-cache.ts';
export { ID_PATTERN, isFarmId, isSha256, SHA256_PATTERN } from './patterns.ts';
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
export { certificateFingerprint, parseFingerprint, TlsTrust, type TlsTrustOptions } from './tls-trust.ts';
export { type Credentials, FarmTrust } from './trust.ts';
