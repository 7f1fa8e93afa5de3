// Fastify's validator compiler with two ajv configurations: bodies are validated as sent (no type
// coercion: "Infinity" is not a number, null is not 0), while path and query strings, which are
// text by nature, may coerce to the numbers and booleans their schemas ask for. Both refuse NaN
// and Infinity (`strictNumbers`).
//
// Both compilers, this one and the response serializer's, compile a route's schema on the route's
// first request instead of at start: compiling every route's schemas was most of the time to
// `/readyz` and a good part of the idle heap, for routes a given deployment may never see.
import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifySchema } from 'fastify'
import { INSTANT_FORMAT, isInstantText } from '../time/date-time.js'

type CompileRoute = (route: { schema: FastifySchema; method: string; url: string; httpPart?: string }) => unknown

/** An ajv validate function as Fastify calls it: `errors` holds the last call's issues. */
type Validate = ((data: unknown, context?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown }

// `verbose` puts the offending value on each issue, so a bad date's message can say what is wrong with it.
const SHARED = {
  allErrors: true,
  removeAdditional: false,
  useDefaults: true,
  strictNumbers: true,
  verbose: true,
  formats: { [INSTANT_FORMAT]: isInstantText },
} as const

const pool = AjvCompiler()

/**
 * A validate function that compiles `compile()` on its first call and then delegates to it, with
 * the compiled function's `errors` copied after each call (Fastify reads them from the function it
 * was given). `schemaEnv` is set so Fastify passes the parent data, as it does to ajv's own functions.
 */
export function compileOnFirstValidation(compile: () => Validate): Validate {
  let compiled: Validate | undefined
  const validate: Validate = (data, context) => {
    compiled ??= compile()
    const result = compiled(data, context)
    validate.errors = compiled.errors
    return result
  }
  validate.schemaEnv = true
  return validate
}

/** `schemaController.compilersFactory.buildValidator`: the body compiler for `body`, the coercing one for the other parts; each compiles on first use. */
export function strictValidatorCompiler(externalSchemas: unknown, options: unknown): CompileRoute {
  const custom = (options as { customOptions?: object } | undefined)?.customOptions ?? {}
  const forBody = pool(
    externalSchemas as never,
    { customOptions: { ...custom, ...SHARED, coerceTypes: false } } as never,
  ) as CompileRoute
  const forText = pool(
    externalSchemas as never,
    { customOptions: { ...custom, ...SHARED, coerceTypes: 'array' } } as never,
  ) as CompileRoute
  return (route) =>
    compileOnFirstValidation(() => (route.httpPart === 'body' ? forBody(route) : forText(route)) as Validate)
}

type Serialize = (data: unknown) => string
type CompileResponse = (route: { schema: unknown; method: string; url: string; httpStatus: string }) => Serialize

const serializers = SerializerSelector()

/** `schemaController.compilersFactory.buildSerializer`: Fastify's fast-json-stringify serializer, compiled on a response's first use. */
export function lazySerializerCompiler(externalSchemas: unknown, options: unknown): CompileResponse {
  const compileResponse = serializers(externalSchemas as never, options as never) as unknown as CompileResponse
  return (route) => {
    let compiled: Serialize | undefined
    return (data) => (compiled ??= compileResponse(route))(data)
  }
}
