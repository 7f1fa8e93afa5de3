import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type ErrorDetail, HTTP_STATUS, invalidRequest, toErrorBody } from '../../errors.js'

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

/** Maps Fastify's own errors (parsing, limits, validation) onto AppError; anything else is internal. */
export function toAppError(error: FastifyError): AppError {
  if (error instanceof AppError) return error
  if (error.validation) {
    return invalidRequest(validationDetails(error.validation as ValidationIssue[], error.validationContext))
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Unsupported content type: send application/json')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'Request body is too large')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_argument', 'Request body is empty but the content type is application/json')
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_argument', 'Request body is not valid JSON')
  }
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return new AppError('invalid_argument', 'Request body is not valid JSON')
  }
  if (error.statusCode === 413) return new AppError('payload_too_large', 'Request body is too large')
  if (error.statusCode === 415) return new AppError('unsupported_media_type', 'Unsupported content type: send application/json')
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('invalid_argument', 'Bad request')
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
  return reply.status(404).send(toErrorBody(error))
}
