/** The closed set of error codes; no transport owns them, each maps them through one table. */
export type ErrorCode =
  | 'invalid_argument'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'uri_too_long'
  | 'headers_too_large'
  | 'request_timeout'
  | 'rate_limited'
  | 'unavailable'
  | 'internal'

export interface ErrorDetail {
  readonly path?: string
  readonly message: string
  readonly [key: string]: unknown
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

/** The one `invalid_argument` for failed schema validation: every field at fault, in the message and in details. */
export function invalidRequest(details: ErrorDetail[]): AppError {
  return new AppError(
    'invalid_argument',
    `Invalid request: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
    details,
  )
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  uri_too_long: 414,
  headers_too_large: 431,
  request_timeout: 408,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
}

/** grpc-js status numbers (kept as numbers so this file imports no transport). */
export const GRPC_STATUS: Record<ErrorCode, number> = {
  invalid_argument: 3,
  unauthenticated: 16,
  permission_denied: 7,
  not_found: 5,
  conflict: 6,
  payload_too_large: 8,
  unsupported_media_type: 3,
  uri_too_long: 3,
  headers_too_large: 3,
  request_timeout: 4,
  rate_limited: 8,
  unavailable: 14,
  internal: 13,
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: ErrorDetail[] }
}

/** Turns anything thrown into the public error body; unknown errors never leak their text. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof AppError) {
    return { error: { code: error.code, message: error.message, details: error.details } }
  }
  return { error: { code: 'internal', message: 'Internal server error', details: [] } }
}
