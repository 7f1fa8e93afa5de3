// The one mapping from a schema validator's issues (ajv's, for Fastify routes, and TypeBox's
// `Value.Errors`, for gRPC, Socket.IO, MQTT, jobs, config and the CLI) to error details.
import type { ErrorDetail } from '../../errors.js'

/** A validator issue: the fields ajv and TypeBox both report. */
export interface SchemaIssue {
  readonly keyword?: string | undefined
  readonly instancePath: string
  readonly message?: string | undefined
  readonly params?: Readonly<Record<string, unknown>> | undefined
}

/** At most this many details are listed: a 100k-item array with every item wrong still answers briefly. */
export const MAX_DETAILS = 20

/** `/samples/3/bpm` under `body` -> `body.samples.3.bpm` (empty parts dropped). */
export function dottedPath(prefix: string, instancePath: string, ...more: unknown[]): string {
  return [prefix, ...instancePath.split('/'), ...more].filter((part) => typeof part === 'string' && part !== '').join('.')
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value])

/** One issue as details: ajv names one missing or unknown field per issue, TypeBox lists them. */
function detailsOf(issue: SchemaIssue, prefix: string): ErrorDetail[] {
  const params = issue.params ?? {}
  // TypeBox also reports each unknown field as a `false` schema; its additionalProperties issue says it better.
  if (issue.keyword === 'boolean') return []
  const missing = [...asList(params.missingProperty), ...asList(params.requiredProperties)]
  if (missing.length > 0) return missing.map((name) => ({ path: dottedPath(prefix, issue.instancePath, name), message: 'is required' }))
  const unknown = [...asList(params.additionalProperty), ...asList(params.additionalProperties)].filter((name) => typeof name === 'string')
  if (unknown.length > 0) return unknown.map((name) => ({ path: dottedPath(prefix, issue.instancePath), message: `has an unknown field "${String(name)}"` }))
  const allowed = params.allowedValues
  return [{ path: dottedPath(prefix, issue.instancePath), message: `${issue.message ?? 'is invalid'}${Array.isArray(allowed) ? `: ${allowed.join(', ')}` : ''}` }]
}

/**
 * Every issue as `{ path, message }`, the path dotted under `prefix` (e.g. `body.samples.3.bpm`),
 * duplicates dropped, at most MAX_DETAILS (then one `{ message: 'and N more' }`).
 */
export function toErrorDetails(issues: Iterable<SchemaIssue>, prefix: string): ErrorDetail[] {
  const seen = new Set<string>()
  const details: ErrorDetail[] = []
  let more = 0
  for (const issue of issues) {
    for (const detail of detailsOf(issue, prefix)) {
      const key = `${detail.path ?? ''}\u0000${detail.message}`
      if (seen.has(key)) continue
      seen.add(key)
      if (details.length < MAX_DETAILS) details.push(detail)
      else more += 1
    }
  }
  if (more > 0) details.push({ message: `and ${more} more` })
  return details
}
