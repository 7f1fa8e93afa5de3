// Fastify's validator compiler with two ajv configurations: bodies are validated as sent (no type
// coercion: "Infinity" is not a number, null is not 0), while path and query strings, which are
// text by nature, may coerce to the numbers and booleans their schemas ask for. Both refuse NaN
// and Infinity (`strictNumbers`).
import { AjvCompiler } from '@fastify/ajv-compiler'
import type { FastifySchema } from 'fastify'
import { INSTANT_FORMAT, isInstantText } from '../time/date-time.js'

type CompileRoute = (route: { schema: FastifySchema; method: string; url: string; httpPart?: string }) => unknown

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

/** `schemaController.compilersFactory.buildValidator`: the body compiler for `body`, the coercing one for the other parts. */
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
  return (route) => (route.httpPart === 'body' ? forBody(route) : forText(route))
}
