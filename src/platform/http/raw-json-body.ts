import type { FastifyRequest } from 'fastify'
import type { HttpServer } from './http-server.js'

/**
 * Parses JSON bodies in `scope` with Fastify's own parser (prototype-poisoning checks included)
 * and keeps each body's text, for a route that stores what it was sent. Returns the text's reader.
 */
export function keepRawJsonBodies(scope: HttpServer, bodyLimit: number): (request: FastifyRequest) => string | undefined {
  const texts = new WeakMap<FastifyRequest, string>()
  const parseJson = scope.getDefaultJsonParser('error', 'error')
  scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, text, done) => {
    texts.set(request, text as string)
    void parseJson(request, text as string, done)
  })
  return (request) => texts.get(request)
}
