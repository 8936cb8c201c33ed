/** The error shape of every refusal a node's HTTP server sends, and the body errors of transfers. */

export interface ErrorIssue {
  path: string;
  message: string;
}

/** Every non-2xx JSON reply of a node's server has this shape. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    /** Why a signature was refused (a farm request's 401). */
    reason?: string;
    issues?: ErrorIssue[];
  };
}

export function errorBody(code: string, message: string, extra: Partial<ErrorBody['error']> = {}) {
  return { error: { code, message, ...extra } } satisfies ErrorBody;
}

/** A request refused by the server (or a route): its status, the error body, and any extra headers. */
export class Refusal extends Error {
  readonly status: number;
  readonly body: ReturnType<typeof errorBody>;
  readonly headers: Record<string, string>;

  constructor(status: number, body: ReturnType<typeof errorBody>, headers: Record<string, string> = {}) {
    super(body.error.message);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** A body (request or download) went past its declared limit; the partial data was discarded. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    super(`body is larger than the ${maxBytes} bytes allowed`);
    this.maxBytes = maxBytes;
  }
}

/** A body would have left less free disk than the node keeps (storage.keepFree); it was discarded. */
/** A body did not hash to (or was not the size of) what the sender declared; it was discarded. */
export class BodyMismatchError extends Error {
  override name = 'BodyMismatchError';
}
