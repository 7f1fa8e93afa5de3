// The OpenAPI document's shared parts: the one error body on every route's error statuses, named
// component schemas, and a strict mode (tests) in which a route answering a status its document
// does not list fails loudly.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { type ErrorCode, HTTP_STATUS } from '../../errors.js'

const ERROR_CODES = Object.keys(HTTP_STATUS) as ErrorCode[]

/** `{ "error": { "code", "message", "details" } }`, the body of every error pulsebase's own API answers. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(
        ERROR_CODES.map((code) => Type.Literal(code)),
        { description: 'Stable, machine-readable; see docs/api.md' },
      ),
      message: Type.String({ description: 'A sentence for a person' }),
      details: Type.Array(
        Type.Object(
          {
            path: Type.Optional(Type.String({ description: 'Where in the request, e.g. body.samples.3.bpm' })),
            message: Type.String(),
          },
          { additionalProperties: true },
        ),
        { description: 'Every field at fault, for invalid_argument' },
      ),
    }),
  },
  {
    title: 'Error',
    examples: [
      {
        error: {
          code: 'invalid_argument',
          message: 'Invalid request: body.email is required',
          details: [{ path: 'body.email', message: 'is required' }],
        },
      },
    ],
  },
)

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'The request is invalid: every field at fault is in `details`',
  401: 'Missing, expired or revoked credentials',
  403: 'The credentials may not do this (a device key on a person-only route, or not an admin)',
  404: 'No such resource for this user (another user’s ids are not found either)',
  409: 'Conflicts with what is stored (a duplicate, or a state that does not allow it)',
  413: 'The body is larger than the limit',
  415: 'The body is not application/json',
  429: 'Too many attempts; `Retry-After` says when to try again',
  500: 'An unexpected failure; the details are in the server log, never in the answer',
  503: 'A dependency (database, queue) does not answer, or the server is shutting down',
}

/** The parts of a route's definition that decide which errors it can answer. */
export interface RouteShape {
  readonly method: string | readonly string[]
  readonly url: string
  readonly schema?: { readonly body?: unknown; readonly security?: readonly unknown[] } | undefined
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** The error statuses a route of pulsebase's own API can answer, from its shape. */
export function errorStatuses(route: RouteShape): number[] {
  const statuses = new Set([400, 404, 500, 503])
  const methods = typeof route.method === 'string' ? [route.method] : route.method
  const hasCredentials = (route.schema?.security?.length ?? 0) > 0
  if (hasCredentials || route.url.startsWith('/v1/auth/')) [401, 403, 429].forEach((s) => statuses.add(s))
  // Any write may be sent a body, which the parser may refuse as too large or of the wrong type.
  if (route.schema?.body !== undefined || methods.some((m) => WRITES.has(m))) [413, 415].forEach((s) => statuses.add(s))
  if (methods.some((m) => WRITES.has(m))) statuses.add(409)
  return [...statuses].sort((a, b) => a - b)
}

/** True for the routes this document describes with pulsebase's error body: `/v1/...` (seed adapters keep their own). */
export const isOwnApi = (url: string): boolean => url.startsWith('/v1/')

/** `@fastify/swagger` `transform`: adds the error responses to each `/v1` route's documentation. */
export function documentErrors<S extends object>({
  schema,
  url,
  route,
}: {
  schema: S
  url: string
  route: RouteShape
}): { schema: S; url: string } {
  const shape = schema as { hide?: boolean; response?: Record<string, unknown> } | undefined
  if (!isOwnApi(url) || shape === undefined || shape.hide === true) return { schema, url }
  const response = { ...shape.response }
  for (const status of errorStatuses(route)) response[status] ??= { ...ErrorBody, description: STATUS_TEXT[status] }
  return { schema: { ...schema, response }, url }
}

/** `@fastify/swagger` `transformObject`: every schema with a `title` becomes a named component, referenced where it was inlined. */
export function extractComponents({ openapiObject }: { openapiObject: Record<string, unknown> }) {
  const components = (openapiObject.components ??= {}) as { schemas?: Record<string, unknown> }
  const schemas = (components.schemas ??= {})
  const visit = (node: unknown, isRoot: boolean): unknown => {
    if (Array.isArray(node)) return node.map((item) => visit(item, false))
    if (node === null || typeof node !== 'object') return node
    const entries = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, visit(value, false)]))
    const title = (node as { title?: unknown }).title
    if (isRoot || typeof title !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(title)) return entries
    // OpenAPI 3.0 ignores a $ref's siblings: the description stays with the component.
    schemas[title] ??= entries
    return { $ref: `#/components/schemas/${title}` }
  }
  openapiObject.paths = visit(openapiObject.paths, false)
  for (const [name, schema] of Object.entries(schemas)) schemas[name] = visit(schema, true)
  return openapiObject
}

/**
 * `onSend` hook for strict mode: a `/v1` route that answers a status neither its response schema
 * nor `errorStatuses` lists is answered 500 instead, naming the route and status, so a test that
 * meets it fails (and the document gets fixed).
 */
export async function refuseUndocumentedStatus(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  const url = request.routeOptions.url
  if (url === undefined || !isOwnApi(url)) return payload
  const documented = Object.keys((request.routeOptions.schema?.response as Record<string, unknown> | undefined) ?? {})
  const status = reply.statusCode
  const shape = {
    method: request.routeOptions.method,
    url,
    schema: request.routeOptions.schema as RouteShape['schema'],
  }
  const isListed =
    documented.includes(String(status)) ||
    documented.includes(`${String(status)[0]}xx`) ||
    errorStatuses(shape).includes(status)
  if (isListed) return payload
  request.log.error({ route: url, status }, 'route answered a status its OpenAPI document does not list')
  reply.status(500).header('content-type', 'application/json; charset=utf-8')
  return JSON.stringify({
    error: {
      code: 'internal',
      message: `${request.method} ${url} answered ${status}, which its OpenAPI document does not list`,
      details: [],
    },
  })
}

/** A 200 response streamed as a file of `contentType` (documented only: the payload is a stream, never serialized). */
export function streamedFile(contentType: string, description: string) {
  return { description, content: { [contentType]: { schema: { type: 'string', description } } } }
}
