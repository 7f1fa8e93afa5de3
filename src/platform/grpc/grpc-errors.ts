import { Metadata, type ServerErrorResponse, status } from '@grpc/grpc-js'
import { AppError, type ErrorCode, GRPC_STATUS } from '../../errors.js'

/** Trailing metadata: the pulsebase error code (two codes can share one gRPC status). */
export const ERROR_CODE_KEY = 'error-code'
/** Trailing metadata: JSON array of `ErrorDetail`, when there are details. */
export const ERROR_DETAILS_KEY = 'error-details-bin'
/** Trailing metadata: seconds to wait before retrying (`rate_limited`). */
const RETRY_AFTER_KEY = 'retry-after'

const INTERNAL_MESSAGE = 'Internal server error'

/** The status a failed call ends with: what grpc-js sends, plus the code we mapped from. */
export interface GrpcFailure {
  readonly errorCode: ErrorCode
  readonly response: ServerErrorResponse & { code: status; details: string; metadata: Metadata }
}

/**
 * The one mapping from anything thrown to a gRPC status. AppError keeps its message; any other
 * error becomes INTERNAL with a fixed message, so its text never reaches a client.
 */
export function toGrpcFailure(error: unknown): GrpcFailure {
  const appError = error instanceof AppError ? error : new AppError('internal', INTERNAL_MESSAGE)
  const metadata = new Metadata()
  metadata.set(ERROR_CODE_KEY, appError.code)
  if (appError.details.length > 0) {
    metadata.set(ERROR_DETAILS_KEY, Buffer.from(JSON.stringify(appError.details)))
  }
  if (appError.retryAfterSeconds !== undefined) {
    metadata.set(RETRY_AFTER_KEY, String(appError.retryAfterSeconds))
  }
  const code = GRPC_STATUS[appError.code] as status
  const response = Object.assign(new Error(appError.message), { code, details: appError.message, metadata })
  return { errorCode: appError.code, response }
}

/** The `status` name used as the `grpc_code` metric label, e.g. `UNAUTHENTICATED`. */
export function statusName(code: status): string {
  return status[code] ?? 'UNKNOWN'
}
