// Checks every transport applies to decoded input before its schema: values no database can store
// or give back as they were sent. One walk, recursive only down to MAX_NESTING_DEPTH (a 10,000-level
// body cannot overflow the stack), that builds a path only for a value at fault: a 10,000-sample
// batch is 60,000 values, and a path string or stack entry for each was most of the walk's time.
import { type ErrorDetail, invalidRequest } from '../../errors.js'
import { dottedPath } from './validation-details.js'

/** Deepest nesting of arrays and objects accepted in any request (JSON bodies, gRPC, Socket.IO, MQTT). */
export const MAX_NESTING_DEPTH = 32

/** Largest magnitude of a number accepted: 2^53 - 1, the last integer a double (and so JSON) holds exactly. */
export const MAX_NUMBER_MAGNITUDE = Number.MAX_SAFE_INTEGER

// NUL (PostgreSQL text refuses it) and UTF-16 halves without their partner (not encodable as UTF-8).
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
// Text without NUL or any surrogate (nearly all of it) passes this one-class scan, much cheaper than BAD_TEXT's lookarounds.
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const MAYBE_BAD_TEXT = /[\u0000\uD800-\uDFFF]/

/** Why `text` cannot be stored as text, or undefined when it can. */
export function textProblem(text: string): string | undefined {
  if (!MAYBE_BAD_TEXT.test(text)) return undefined
  const found = BAD_TEXT.exec(text)
  if (found === null) return undefined
  return found[0] === '\u0000'
    ? 'must not contain NUL (\\u0000)'
    : 'must not contain a lone UTF-16 surrogate (invalid Unicode)'
}

function numberProblem(value: number): string | undefined {
  if (!Number.isFinite(value)) return 'must be a finite number'
  if (Math.abs(value) > MAX_NUMBER_MAGNITUDE)
    return `must be between -${MAX_NUMBER_MAGNITUDE} and ${MAX_NUMBER_MAGNITUDE}`
  return undefined
}

/** What inputProblems checks besides text and nesting. */
export interface InputCheckOptions {
  /**
   * Refuse non-finite and beyond-±2^53 numbers (default true). gRPC turns it off: its numbers are
   * typed by the proto, and a domain that answers per item (a sample's verdict) judges them itself.
   */
  readonly isCheckingNumbers?: boolean
}

function findProblem(value: unknown, options: InputCheckOptions): string | undefined {
  if (typeof value === 'string') return textProblem(value)
  if (typeof value === 'number' && options.isCheckingNumbers !== false) return numberProblem(value)
  return undefined
}

/**
 * Every value in `input` that no database stores faithfully: text with NUL or lone surrogates
 * (in values and field names), non-finite numbers or numbers beyond ±(2^53 - 1), nesting deeper
 * than MAX_NESTING_DEPTH. Paths are dotted under `prefix`; at most `limit` problems.
 */
export function inputProblems(
  input: unknown,
  prefix: string,
  limit = 20,
  options: InputCheckOptions = {},
): ErrorDetail[] {
  const problems: ErrorDetail[] = []
  // The keys from the input down to the value being looked at; depth is its length.
  const keys: Array<string | number> = []
  const report = (message: string) =>
    problems.push({ path: dottedPath(prefix, keys.length === 0 ? '' : `/${keys.join('/')}`), message })
  // Values in depth-first order, an object's fields last to first (the order an explicit stack gave).
  const visit = (value: unknown): void => {
    if (problems.length >= limit) return
    const problem = findProblem(value, options)
    if (problem !== undefined) report(problem)
    // Bytes (gRPC `bytes`, MQTT payloads) are not text: their content is the reader's to judge.
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return
    if (keys.length >= MAX_NESTING_DEPTH) {
      report(`is nested deeper than ${MAX_NESTING_DEPTH} levels`)
      return
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i += 1) {
        keys.push(i)
        visit(value[i])
        keys.pop()
      }
      return
    }
    const fields = Object.keys(value)
    for (const key of fields) {
      const keyProblem = textProblem(key)
      if (keyProblem !== undefined) report(`has a field name that ${keyProblem}`)
    }
    for (let i = fields.length - 1; i >= 0; i -= 1) {
      const key = fields[i] as string
      keys.push(key)
      visit((value as Record<string, unknown>)[key])
      keys.pop()
    }
  }
  visit(input)
  return problems
}

/**
 * True when the JSON `text` nests arrays/objects deeper than `max`, found by counting brackets
 * outside strings (before parsing, so no parser or validator recurses into it).
 */
export function isJsonNestedDeeperThan(text: string, max: number): boolean {
  let depth = 0
  let isInString = false
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i)
    if (isInString) {
      if (c === 92)
        i += 1 // backslash: skip the escaped character
      else if (c === 34) isInString = false
    } else if (c === 34) isInString = true
    else if (c === 91 || c === 123) {
      depth += 1
      if (depth > max) return true
    } else if (c === 93 || c === 125) depth -= 1
  }
  return false
}

/** Throws `invalid_argument` listing what `input` holds that no database stores faithfully (see inputProblems). */
export function assertStorable(input: unknown, prefix: string, options: InputCheckOptions = {}): void {
  const problems = inputProblems(input, prefix, 20, options)
  if (problems.length > 0) throw invalidRequest(problems)
}

/**
 * JSON.parse for text a route reads itself (seed adapters, MQTT payloads), with the nesting bound
 * checked first. Throws SyntaxError for text that is not JSON or nests deeper than MAX_NESTING_DEPTH.
 */
export function parseBoundedJson(text: string): unknown {
  if (isJsonNestedDeeperThan(text, MAX_NESTING_DEPTH))
    throw new SyntaxError(`JSON nested deeper than ${MAX_NESTING_DEPTH} levels`)
  return JSON.parse(text)
}
