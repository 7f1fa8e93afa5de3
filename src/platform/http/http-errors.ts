import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type ErrorCode, type ErrorDetail, HTTP_STATUS, invalidRequest, toErrorBody } from '../../errors.js'

interface ValidationIssue {
  instancePath: string
  message?: string
  params?: Record<string, unknown>
}

/** Every field at fault, with a path a person can find in their request. */
function validationDetails(issues: ValidationIssue[], context: string | undefined): ErrorDetail[] {
  return issues.map((issue) => {
    const missing = issue.params?.missingProperty
    const path = [context ?? 'body', issue.instancePath.replace(/^\//, '').replaceAll('/', '.'), missing]
      .filter((part) => typeof part === 'string' && part !== '')
      .join('.')
    const allowed = issue.params?.allowedValues
    const message = missing
      ? 'is required'
      : issue.params?.additionalProperty
        ? `has an unknown field "${String(issue.params.additionalProperty)}"`
        : `${issue.message ?? 'is invalid'}${Array.isArray(allowed) ? `: ${allowed.join(', ')}` : ''}`
    return { path, message }
  })
}

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
    return invalidRequest(validationDetails(error.validation as ValidationIssue[], error.validationContext))
  }
  const known = FASTIFY_ERRORS[error.code]
  if (known !== undefined) return new AppError(known[0], known[1])
  // Other client errors Fastify raises itself (a 4xx without one of the codes above).
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    const byStatus = error.statusCode === 413 ? FASTIFY_ERRORS.FST_ERR_CTP_BODY_TOO_LARGE : error.statusCode === 415 ? FASTIFY_ERRORS.FST_ERR_CTP_INVALID_MEDIA_TYPE : undefined
    return byStatus === undefined ? new AppError('invalid_argument', 'Bad request') : new AppError(byStatus[0], byStatus[1])
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
