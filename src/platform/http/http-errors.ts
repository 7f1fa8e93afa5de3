import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type ErrorCode, HTTP_STATUS, invalidRequest, toErrorBody } from '../../errors.js'
import { inputProblems } from '../validation/input-checks.js'
import { type SchemaIssue, toErrorDetails } from '../validation/validation-details.js'

/** Fastify's own request errors: code -> our code and message. */
const FASTIFY_ERRORS: Record<string, readonly [ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'Unsupported content type: send application/json'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 'Request body is too large'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['invalid_argument', 'Request body is empty but the content type is application/json'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_argument', 'Request body is not valid JSON'],
}

/** Maps Fastify's own errors (parsing, limits, validation) onto AppError; anything else is internal. Seed adapters with their own error body use it too. */
export function toAppError(error: FastifyError): AppError {
  if (error instanceof AppError) return error
  if (error.validation) {
    return invalidRequest(toErrorDetails(error.validation as SchemaIssue[], error.validationContext ?? 'body'))
  }
  const known = FASTIFY_ERRORS[error.code]
  if (known !== undefined) return new AppError(known[0], known[1])
  // Other client errors Fastify raises itself (a 4xx without one of the codes above).
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    const byStatus =
      error.statusCode === 413
        ? FASTIFY_ERRORS.FST_ERR_CTP_BODY_TOO_LARGE
        : error.statusCode === 415
          ? FASTIFY_ERRORS.FST_ERR_CTP_INVALID_MEDIA_TYPE
          : undefined
    return byStatus === undefined
      ? new AppError('invalid_argument', 'Bad request')
      : new AppError(byStatus[0], byStatus[1])
  }
  return new AppError('internal', 'Internal server error')
}

export function handleHttpError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const appError = toAppError(error)
  if (appError.code === 'internal') request.log.error({ err: error }, 'request failed')
  if (appError.retryAfterSeconds !== undefined) reply.header('retry-after', String(appError.retryAfterSeconds))
  return reply.status(HTTP_STATUS[appError.code]).send(toErrorBody(appError))
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
  const error = new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}`)
  return reply.status(HTTP_STATUS[error.code]).send(toErrorBody(error))
}

/** Fastify's router errors (`frameworkErrors`): a URL that does not decode is 400, a path parameter over its length 414, in the one error body. */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const appError =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new AppError('uri_too_long', 'The URL is too long')
      : error.code === 'FST_ERR_BAD_URL'
        ? new AppError('invalid_argument', 'The URL is not valid (a bad percent-encoding?)')
        : toAppError(error)
  void handleHttpError(appError as FastifyError & AppError, request, reply)
}

const CLIENT_ERRORS: Record<string, AppError> = {
  HPE_HEADER_OVERFLOW: new AppError('headers_too_large', 'The request line and headers are too large'),
  ERR_HTTP_REQUEST_TIMEOUT: new AppError('request_timeout', 'The request was not received in time'),
  ERR_HTTP_HEADERS_TIMEOUT: new AppError('request_timeout', 'The request headers were not received in time'),
}

/**
 * Node's `clientError` (the request never reached Fastify: headers too large, timeouts, a broken
 * request line): answers in the one error body and logs the error's code only, never its
 * `rawPacket` (which holds the Authorization header or device key).
 */
export function handleClientError(
  this: { log: { debug(o: object, m: string): void } },
  error: NodeJS.ErrnoException,
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const appError = CLIENT_ERRORS[error.code ?? ''] ?? new AppError('invalid_argument', 'The request is not valid HTTP')
  this.log.debug({ code: error.code }, 'client error')
  const body = JSON.stringify(toErrorBody(appError))
  const status = HTTP_STATUS[appError.code]
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}

/**
 * Root `preHandler`: refuses, on every route (seed adapters too), a body, query or path value no
 * database stores faithfully (NUL, lone surrogates, non-finite numbers or beyond ±2^53, deep
 * nesting). Runs after schema validation, so coerced query numbers are checked as numbers.
 */
export async function refuseUnstorableInput(request: FastifyRequest): Promise<void> {
  const problems = [
    ...inputProblems(request.params, 'params'),
    ...inputProblems(request.query, 'querystring'),
    ...inputProblems(request.body, 'body'),
  ]
  if (problems.length > 0) throw invalidRequest(problems)
}
