// The one JSON body parser of pulsebase's routes: strict UTF-8, a leading byte-order mark ignored
// (RFC 8259 §8.1), nesting bounded before parsing, Fastify's prototype-poisoning checks kept.
import type { FastifyRequest } from 'fastify'
import { AppError } from '../../errors.js'
import { isJsonNestedDeeperThan, MAX_NESTING_DEPTH } from '../validation/input-checks.js'
import type { HttpServer } from './http-server.js'

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/**
 * The text of a JSON body: UTF-8 decoded strictly (invalid bytes are a 400, never silently
 * replaced), a leading BOM dropped, nesting deeper than MAX_NESTING_DEPTH refused.
 * Throws AppError `invalid_argument`.
 */
export function jsonBodyText(body: Buffer): string {
  let text: string
  try {
    text = UTF8.decode(body) // drops a leading BOM (ignoreBOM: false)
  } catch {
    throw new AppError('invalid_argument', 'Request body is not valid UTF-8')
  }
  if (isJsonNestedDeeperThan(text, MAX_NESTING_DEPTH))
    throw new AppError(
      'invalid_argument',
      `Request body nests arrays or objects deeper than ${MAX_NESTING_DEPTH} levels`,
    )
  return text
}

/** Replaces `scope`'s application/json parser with the strict one above. */
export function registerJsonBodyParser(scope: HttpServer, options: { bodyLimit?: number } = {}): void {
  const parseJson = scope.getDefaultJsonParser('error', 'error')
  if (scope.hasContentTypeParser('application/json')) scope.removeContentTypeParser('application/json')
  scope.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', ...options },
    (request: FastifyRequest, body, done) => {
      let text: string
      try {
        text = jsonBodyText(body as Buffer)
      } catch (error) {
        done(error as Error, undefined)
        return
      }
      void parseJson(request, text, done)
    },
  )
}
