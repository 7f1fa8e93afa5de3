// A request generator over the OpenAPI document: a plausible request per route built from its
// schemas, then mutations of it that a careless client or an attacker sends (issue 11, point 1).
import { randomUUID } from 'node:crypto'

type Schema = Record<string, any>
export interface OpenApiDocument {
  readonly paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ in: string; name: string; schema?: Schema }>
        requestBody?: { content: Record<string, { schema?: Schema }> }
      }
    >
  >
  readonly components?: { schemas?: Record<string, Schema> }
}

/** One route of the document. */
export interface Operation {
  readonly method: string
  readonly path: string
  readonly parameters: Array<{ in: string; name: string; schema?: Schema }>
  readonly bodySchema: Schema | undefined
}

/** A request to send: everything as text or bytes, so invalid JSON and bad encodings go out as they are. */
export interface FuzzRequest {
  readonly method: string
  readonly url: string
  readonly contentType: string | undefined
  readonly body: string | Buffer | undefined
  readonly label: string
}

/** The simulator's seeded generator (mulberry32), so every run sends the same requests. */
export { seededRandom } from '../../src/domains/meditation/simulator.js'

export function listOperations(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: op.parameters ?? [],
      bodySchema: op.requestBody?.content['application/json']?.schema,
    })),
  )
}

/** A value that matches `schema` as far as a generic generator can tell (ids are fresh UUIDs). */
export function plausibleValue(schema: Schema | undefined, doc: OpenApiDocument, depth = 0): unknown {
  if (schema === undefined || depth > 8) return 'x'
  if (typeof schema.$ref === 'string')
    return plausibleValue(doc.components?.schemas?.[schema.$ref.split('/').pop() ?? ''], doc, depth + 1)
  if (schema.const !== undefined) return schema.const
  if (Array.isArray(schema.enum)) return schema.enum[0]
  const options = schema.anyOf ?? schema.oneOf
  if (Array.isArray(options))
    return plausibleValue(options.find((o: Schema) => o.type !== 'null') ?? options[0], doc, depth + 1)
  if (schema.default !== undefined) return schema.default
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries<Schema>(schema.properties ?? {}).map(([key, value]) => [
          key,
          plausibleValue(value, doc, depth + 1),
        ]),
      )
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () =>
        plausibleValue(schema.items, doc, depth + 1),
      )
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1)
    case 'boolean':
      return true
    case 'string':
      if (schema.format === 'date-time') return new Date().toISOString()
      if (schema.format === 'uuid') return randomUUID()
      if (schema.format === 'email') return `fuzz-${randomUUID()}@example.com`
      return 'a'.repeat(Math.max(1, schema.minLength ?? 1))
    default:
      return 'x'
  }
}

/** JSON texts that are wrong somewhere: types, non-finite and unsafe numbers, text no database stores, sizes, nesting. */
export const BAD_JSON_VALUES = [
  'null',
  'true',
  '{}',
  '[]',
  '""',
  '-1',
  '0.5',
  '1e309',
  '-1e309',
  '"Infinity"',
  '"NaN"',
  '9007199254740993',
  '-9007199254740993',
  '"a\\u0000b"',
  '"\\ud800"',
  '"x\\udc00"',
  '"\\ufeffabc"',
  '"2024-02-30T25:61:00Z"',
  '{"__proto__":{"isAdmin":true}}',
  JSON.stringify('x'.repeat(20_000)),
  `[${'0,'.repeat(99_999)}0]`,
  `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
] as const

/** Text put in place of a path segment or query value (already URL-encoded where it must be). */
export const BAD_URL_VALUES = [
  'Infinity',
  '-Infinity',
  'NaN',
  '1e309',
  '99999999999999999999',
  '-1',
  '0',
  '1.5',
  'true',
  '',
  'a%00b',
  '%ED%A0%80',
  '%zz',
  '%F0%28',
  'x'.repeat(3000),
  '..%2F..%2Fetc',
] as const

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T

/** Every path to a value inside `value` (arrays by index), the root included as []. */
function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix]
  const children = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value)
  return [prefix, ...children.flatMap(([key, child]) => leafPaths(child, [...prefix, key]))]
}

const MARK = '"__fuzz_value__"'

/** `value` as JSON with the value at `path` replaced by the JSON text `raw`. */
function withRawAt(value: unknown, path: string[], raw: string): string {
  if (path.length === 0) return raw
  const copy = structuredClone(value) as Record<string, unknown>
  let node: any = copy
  for (const key of path.slice(0, -1)) node = node[key]
  node[path[path.length - 1] as string] = MARK.slice(1, -1)
  return JSON.stringify(copy).replace(MARK, raw)
}

function buildUrl(op: Operation, doc: OpenApiDocument, override?: { name: string; value: string }): string {
  let path = op.path
  const query: string[] = []
  for (const param of op.parameters) {
    const plausible =
      override?.name === param.name ? override.value : encodeURIComponent(String(plausibleValue(param.schema, doc)))
    if (param.in === 'path') path = path.replace(`{${param.name}}`, plausible)
    else if (param.in === 'query' && (override?.name === param.name || param.schema?.default === undefined))
      query.push(`${param.name}=${plausible}`)
  }
  return query.length === 0 ? path : `${path}?${query.join('&')}`
}

/** The plausible request of `op`, then `count` mutations of it, chosen by `random`. */
export function requestsFor(op: Operation, doc: OpenApiDocument, random: () => number, count: number): FuzzRequest[] {
  const base = op.bodySchema === undefined ? undefined : plausibleValue(op.bodySchema, doc)
  const hasBody = op.method !== 'GET' && op.method !== 'DELETE'
  const baseText = base === undefined ? (hasBody ? '{}' : undefined) : JSON.stringify(base)
  const json = (body: string | Buffer | undefined, label: string): FuzzRequest => ({
    method: op.method,
    url: buildUrl(op, doc),
    contentType: body === undefined ? undefined : 'application/json',
    body,
    label,
  })
  const requests: FuzzRequest[] = [json(baseText, 'plausible')]
  const params = op.parameters.filter((p) => p.in === 'path' || p.in === 'query')
  const paths = leafPaths(base)
  for (let i = 0; i < count; i += 1) {
    const kind = random()
    if (params.length > 0 && (kind < 0.35 || !hasBody)) {
      const param = pick(random, params)
      const value = pick(random, BAD_URL_VALUES)
      requests.push({
        method: op.method,
        url: buildUrl(op, doc, { name: param.name, value }),
        contentType: baseText === undefined ? undefined : 'application/json',
        body: baseText,
        label: `${param.in} ${param.name}=${value.slice(0, 40)}`,
      })
    } else if (hasBody && kind < 0.8) {
      const path = pick(random, paths)
      const raw = pick(random, BAD_JSON_VALUES)
      requests.push(json(withRawAt(base ?? {}, path, raw), `body.${path.join('.')}=${raw.slice(0, 40)}`))
    } else if (hasBody) {
      const variants: FuzzRequest[] = [
        { ...json(baseText, 'text/plain'), contentType: 'text/plain' },
        { ...json(baseText, 'form'), contentType: 'application/x-www-form-urlencoded' },
        { ...json(baseText, 'no content type'), contentType: undefined },
        json(`\uFEFF${baseText ?? ''}`, 'BOM'),
        json(
          Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
          'invalid UTF-8',
        ),
        json('{"a":', 'truncated JSON'),
      ]
      requests.push(pick(random, variants))
    }
  }
  return requests
}
