// The one mapping from a schema validator's issues (ajv's, for Fastify routes, and TypeBox's
// `Value.Errors`, for gRPC, Socket.IO, MQTT, jobs, config and the CLI) to error details.
import type { ErrorDetail } from '../../errors.js'
import { INSTANT_FORMAT, instantProblem } from '../time/date-time.js'

/** A validator issue: the fields ajv and TypeBox both report. */
export interface SchemaIssue {
  readonly keyword?: string | undefined
  readonly instancePath: string
  readonly message?: string | undefined
  readonly params?: Readonly<Record<string, unknown>> | undefined
  /** The value at fault (ajv with `verbose`). */
  readonly data?: unknown
}

/** At most this many details are listed: a 100k-item array with every item wrong still answers briefly. */
export const MAX_DETAILS = 20

/** `/samples/3/bpm` under `body` -> `body.samples.3.bpm` (empty parts dropped). */
export function dottedPath(prefix: string, instancePath: string, ...more: unknown[]): string {
  return [prefix, ...instancePath.split('/'), ...more]
    .filter((part) => typeof part === 'string' && part !== '')
    .join('.')
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value])

const quoted = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))

/** The values a `const` or `enum` issue allows, or none. */
function readAllowed(issue: SchemaIssue): unknown[] {
  const params = issue.params ?? {}
  if (issue.keyword === 'const') return [params.allowedValue]
  return Array.isArray(params.allowedValues) ? params.allowedValues : []
}

/** One issue as details: ajv names one missing or unknown field per issue, TypeBox lists them. */
function toDetails(issue: SchemaIssue, prefix: string): ErrorDetail[] {
  const params = issue.params ?? {}
  // TypeBox also reports each unknown field as a `false` schema; its additionalProperties issue says it better.
  if (issue.keyword === 'boolean') return []
  const missing = [...asList(params.missingProperty), ...asList(params.requiredProperties)]
  if (missing.length > 0)
    return missing.map((name) => ({ path: dottedPath(prefix, issue.instancePath, name), message: 'is required' }))
  const unknown = [...asList(params.additionalProperty), ...asList(params.additionalProperties)].filter(
    (name) => typeof name === 'string',
  )
  if (unknown.length > 0)
    return unknown.map((name) => ({
      path: dottedPath(prefix, issue.instancePath),
      message: `has an unknown field "${String(name)}"`,
    }))
  if (issue.keyword === 'format' && params.format === INSTANT_FORMAT) {
    return [
      {
        path: dottedPath(prefix, issue.instancePath),
        message: `${JSON.stringify(issue.data) ?? 'value'} ${instantProblem(issue.data)}`,
        reason: 'timestamp_invalid',
      },
    ]
  }
  const allowed = readAllowed(issue)
  if (allowed.length > 0)
    return [
      {
        path: dottedPath(prefix, issue.instancePath),
        message: `must be ${allowed.length === 1 ? quoted(allowed[0]) : `one of: ${allowed.map(quoted).join(', ')}`}`,
      },
    ]
  return [{ path: dottedPath(prefix, issue.instancePath), message: issue.message ?? 'is invalid' }]
}

/**
 * The branches of a union that failed at the union's own path, said once: `must be string or null`,
 * `must be one of: meditation, sensor-classifier`, `must NOT have fewer than 1 characters, or be null`.
 */
function unionMessage(branches: readonly SchemaIssue[]): string {
  const types = branches.flatMap((b) => (b.keyword === 'type' ? asList(b.params?.type).map(String) : []))
  const values = branches.flatMap(readAllowed)
  const others = branches
    .filter((b) => b.keyword !== 'type' && readAllowed(b).length === 0)
    .map((b) => (b.message ?? 'is invalid').replace(/^must /, ''))
  const alternatives = [
    ...others,
    ...(types.length > 0 ? [`be ${types.join(' or ')}`] : []),
    ...(values.length > 0
      ? [`be ${values.length === 1 ? quoted(values[0]) : `one of: ${values.map(quoted).join(', ')}`}`]
      : []),
  ]
  return alternatives.length === 0 ? 'does not match any allowed form' : `must ${alternatives.join(', or ')}`
}

/**
 * The issues with each failed union (`anyOf`) said once at its path: the validator reports every
 * branch's failure and then the union's, which reads as three contradicting messages for a nullable
 * field. Failures deeper inside an object branch are kept as they are.
 */
function collapseUnions(issues: readonly SchemaIssue[]): SchemaIssue[] {
  const branches = new Map<string, SchemaIssue[]>()
  for (const issue of issues) if (issue.keyword === 'anyOf') branches.set(issue.instancePath, [])
  if (branches.size === 0) return [...issues]
  for (const issue of issues) if (issue.keyword !== 'anyOf') branches.get(issue.instancePath)?.push(issue)
  return issues.flatMap((issue) => {
    const failed = branches.get(issue.instancePath)
    if (failed === undefined) return [issue]
    return issue.keyword === 'anyOf'
      ? [{ instancePath: issue.instancePath, keyword: 'union', message: unionMessage(failed) }]
      : []
  })
}

/**
 * Every issue as `{ path, message }`, the path dotted under `prefix` (e.g. `body.samples.3.bpm`),
 * duplicates dropped, at most MAX_DETAILS (then one `{ message: 'and N more' }`).
 */
export function toErrorDetails(issues: Iterable<SchemaIssue>, prefix: string): ErrorDetail[] {
  const seen = new Set<string>()
  const details: ErrorDetail[] = []
  let more = 0
  for (const issue of collapseUnions([...issues])) {
    for (const detail of toDetails(issue, prefix)) {
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
