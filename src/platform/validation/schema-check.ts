// Validation with the domain's TypeBox schemas where Fastify does not do it (gRPC messages after
// decoding, Socket.IO and MQTT payloads, seed adapters, job payloads): the same rules as REST, and
// the same error details.
import type { Static, TSchema } from 'typebox'
import { Compile, type Validator } from 'typebox/compile'
import { Value } from 'typebox/value'
import { type ErrorDetail, invalidRequest } from '../../errors.js'
import { inputProblems } from './input-checks.js'
import { toErrorDetails } from './validation-details.js'

/**
 * Text no database stores (NUL, lone surrogates) and over-deep nesting are refused before the schema
 * walks the value. Numbers are left to the schema: TypeBox refuses NaN and Infinity where it asks
 * for a number, and a schema that takes anything (a sample's verdict judges it) keeps doing so.
 */
const BEFORE_SCHEMA = { isCheckingNumbers: false } as const

/** Each schema's compiled checker, built on first use (TypeBox's `Compile`: code from the schema, never from input). */
const validators = new WeakMap<TSchema, Validator>()

function validatorFor(schema: TSchema): Validator {
  let validator = validators.get(schema)
  if (validator === undefined) {
    validator = Compile(schema) as unknown as Validator
    validators.set(schema, validator)
  }
  return validator
}

/**
 * Whether `value` matches `schema`, by the schema's compiled checker (fast: for values already
 * checked once, such as job parameters read back from the database). Gives no details; use
 * `schemaProblems` or `assertMatches` at the edge.
 */
export function matchesSchema<T extends TSchema>(schema: T, value: unknown): value is Static<T> {
  return validatorFor(schema).Check(value)
}

/** Every problem of `value` against `schema`, each with a dotted path under `prefix` (e.g. `body.samples.3.bpm`). */
export function schemaProblems(schema: TSchema, value: unknown, prefix: string): ErrorDetail[] {
  const unstorable = inputProblems(value, prefix, 20, BEFORE_SCHEMA)
  if (unstorable.length > 0) return unstorable
  // The compiled check answers a valid value quickly; only an invalid one is walked for its errors.
  if (validatorFor(schema).Check(value)) return []
  return toErrorDetails(Value.Errors(schema, value), prefix)
}

/** Throws `invalid_argument` listing every field at fault when `value` does not match `schema` (no copy is made: for large messages). */
export function assertMatches<T extends TSchema>(schema: T, value: unknown, prefix = ''): asserts value is Static<T> {
  const problems = schemaProblems(schema, value, prefix)
  if (problems.length > 0) throw invalidRequest(problems)
}

/**
 * `value` with the schema's defaults filled in, when it matches `schema`; otherwise throws
 * `invalid_argument` listing every field at fault. `value` itself is not changed.
 */
export function parseWith<T extends TSchema>(schema: T, value: unknown, prefix = ''): Static<T> {
  const unstorable = inputProblems(value, prefix, 20, BEFORE_SCHEMA)
  if (unstorable.length > 0) throw invalidRequest(unstorable)
  const withDefaults = Value.Default(schema, Value.Clone(value))
  const problems = schemaProblems(schema, withDefaults, prefix)
  if (problems.length > 0) throw invalidRequest(problems)
  return withDefaults as Static<T>
}
