/**
 * Streamed uploads (a worker's video): the body reaches its handler as a stream that counts and hashes
 * what passes (body-guard.ts) against the route's `bodyLimit` and the sha256 the sender declared and
 * signed. Whatever the handler does with it, a body that broke its limit or its checksum is refused;
 * a body declared larger than the limit is refused before it is sent (Expect: 100-continue); and a
 * reply given before the body was all read closes the connection rather than reading the rest.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MEDIA_LIMITS } from '../../shared/contract.ts';
import { isSha256 } from '../util/hash.ts';
import type { FarmApp, RouteAuth } from './app-types.ts';
import { BodyGuard } from './body-guard.ts';
import { BodyTooLargeError, errorBody, Refusal } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Why an upload's body was refused while it streamed (too large, not its checksum). */
    uploadFailure: Error | null;
  }
}

/** An upload declares its body's sha256 here (and a farm request signs it). */
export const BODY_SHA256_HEADER = 'x-vfo-body-sha256';

type AwaitingContinue = IncomingMessage & { awaitingContinue?: boolean };

/** Sends "100 Continue" to a client that waits for it (once): call right before reading the body. */
export function acceptBody(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw as AwaitingContinue;
  if (!raw.awaitingContinue) return;
  raw.awaitingContinue = false;
  reply.raw.writeContinue();
}

const OCTETS = 'application/octet-stream';

/**
 * PUT `url` (ending in `:sha256`): one medium a script names, uploaded on its own before the script
 * (farm and UI alike). The body checksum the sender declared must be the name it is stored under;
 * `receive` checks the bytes against it as they land, within the media size budget.
 */
export function mediaUploadRoute(
  app: FarmApp,
  url: `${string}/:sha256`,
  auth: RouteAuth,
  receive: (body: Readable, sha256: string) => Promise<unknown>,
): void {
  app.put(
    url,
    {
      config: { auth, upload: true },
      bodyLimit: MEDIA_LIMITS.maxBytes,
      schema: { params: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }) },
    },
    async (request, reply) => {
      const { sha256 } = request.params;
      if (request.headers[BODY_SHA256_HEADER] !== sha256)
        return reply
          .code(400)
          .send(errorBody('body-mismatch', 'the body checksum is not the one in the path'));
      await receive(request.body as Readable, sha256);
      return { stored: true };
    },
  );
}

export function installUploads(app: FarmApp): void {
  // An upload takes octets and nothing else; every other route takes JSON or nothing. A body of the
  // other kind would reach a handler that cannot read it, or be read whole into memory up to an
  // upload's limit: it is refused before it is read.
  app.addHook('preParsing', async (request) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    const upload = request.routeOptions.config.upload === true;
    if (upload ? type !== OCTETS : type === OCTETS) {
      throw new Refusal(
        415,
        errorBody(
          'unsupported-media-type',
          upload ? `an upload is sent as ${OCTETS}` : 'unsupported content type',
        ),
      );
    }
  });
  app.addHook('preParsing', async (request, reply) => {
    // Small bodies may come now; an upload is asked for once every check on its headers passed.
    if (!request.routeOptions.config.upload) acceptBody(request, reply);
  });
  app.decorateRequest('uploadFailure', null);
  app.addContentTypeParser(OCTETS, (request, payload: IncomingMessage, done) => {
    const declared = request.headers[BODY_SHA256_HEADER];
    const guard = new BodyGuard({
      maxBytes: request.routeOptions.bodyLimit ?? 0,
      ...(isSha256(declared) ? { expectSha256: declared } : {}),
    });
    guard.on('error', (error) => {
      request.uploadFailure ??= error;
      payload.unpipe(guard);
      payload.resume(); // discard the rest; the reply closes the connection
    });
    payload.on('close', () => {
      if (!payload.complete) guard.destroy(new Error('request aborted by the client'));
    });
    payload.pipe(guard);
    done(null, guard);
  });

  app.addHook('preValidation', async (request) => {
    if (!request.routeOptions.config.upload) return;
    const limit = request.routeOptions.bodyLimit ?? 0;
    if (Number(request.headers['content-length'] ?? 0) > limit) {
      throw new Refusal(413, errorBody('too-large', `body is larger than ${limit} bytes`));
    }
  });

  // Every check on the headers passed: now the client may send the body.
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config.upload) acceptBody(request, reply);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.routeOptions.config.upload) return payload;
    const failure = request.uploadFailure;
    if (failure) {
      const tooLarge = failure instanceof BodyTooLargeError;
      reply.code(tooLarge ? 413 : 400).header('connection', 'close');
      return JSON.stringify(errorBody(tooLarge ? 'too-large' : 'body-mismatch', failure.message));
    }
    if (!request.raw.complete) {
      // The handler answered without reading everything (e.g. "already have it"): stop the upload.
      request.raw.resume();
      reply.header('connection', 'close');
    }
    return payload;
  });
}
