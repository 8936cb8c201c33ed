/** A node's HTTP server (Fastify) and what its routes share: errors, uploads, files, events. */

export {
  BodyMismatchError,
  BodyTooLargeError,
  type ErrorBody,
  type ErrorIssue,
  errorBody,
  Refusal,
} from './errors.ts';
export { type ReceivedFile, type ReceiveToFileOptions, receiveToFile } from './receive-file.ts';
export { sendCheckedFile } from './send-file.ts';
export type { SentContentExpectation } from './sent-content-check.ts';
export {
  createHttpServer,
  DEFAULT_MAX_JSON_BYTES,
  type FarmApp,
  type HttpApp,
  type HttpServer,
  type HttpServerOptions,
  type RouteAuth,
  sendFailure,
} from './server.ts';
export { openSse, type SseStream } from './sse.ts';
export { acceptBody, BODY_SHA256_HEADER, mediaUploadRoute } from './uploads.ts';
