// One parser for every date a client sends (REST bodies and query strings, gRPC, compat adapters,
// job payloads): RFC 3339 date-times, checked field by field, never `Date.parse`, which rolls
// 2026-02-29 over into 1 March and accepts forms no standard names.
import { Type } from 'typebox'
import { Format } from 'typebox/format'
import type { ErrorDetail } from '../../errors.js'

/** Milliseconds in a UTC day (time zones with DST have days of 23 and 25 hours: see time-zone.ts). */
export const DAY_MS = 86_400_000

/**
 * RFC 3339 §5.6 `date-time`: full-date, `T` (or `t`, or the space §5.6 allows), full-time with
 * seconds, an optional fraction, and `Z` or a numeric offset. Shape only; the values are checked in
 * `checkDateTime`.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:([Zz])|([+-])(\d{2}):(\d{2}))?$/
const EPOCH_MS = /^\d{1,16}$/

/** A date-time's fields as written: wall clock (as if UTC, in ms) and the offset when one was given. */
export interface DateTimeParts {
  /** The written wall-clock time read as if it were UTC, in epoch milliseconds. */
  readonly wallMs: number
  /** The written offset in minutes east of UTC; undefined when the text has no zone. */
  readonly offsetMinutes: number | undefined
}

export type DateTimeCheck =
  { readonly ok: true; readonly parts: DateTimeParts } | { readonly ok: false; readonly problem: string }

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function daysIn(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number)
}

const fail = (problem: string): DateTimeCheck => ({ ok: false, problem })

/**
 * Checks `text` as an RFC 3339 date-time, with or without its zone (the caller decides whether a
 * zone-less local time is acceptable). Every field is range-checked, including the day of the
 * month in leap and common years; a leap second (`:60`) is refused because epoch milliseconds
 * cannot hold it. A fraction finer than milliseconds is truncated.
 */
export function checkDateTime(text: string): DateTimeCheck {
  const m = RFC3339.exec(text)
  if (m === null) return fail('is not an RFC 3339 date-time like 2026-11-23T10:00:00Z')
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (month < 1 || month > 12) return fail(`has month ${m[2]}; months are 01-12`)
  if (day < 1 || day > daysIn(year, month)) return fail(`names ${m[1]}-${m[2]}-${m[3]}, a day that does not exist`)
  if (hour > 23 || minute > 59) return fail(`has time ${m[4]}:${m[5]}; hours are 00-23 and minutes 00-59`)
  if (second > 59)
    return fail(
      second === 60 ? 'has a leap second (:60), which cannot be stored' : `has second ${m[6]}; seconds are 00-59`,
    )
  const millis = m[7] === undefined ? 0 : Math.trunc(Number(`0${m[7]}`) * 1000)
  const wall = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis))
  wall.setUTCFullYear(year) // Date.UTC would read years 0-99 as 1900-1999
  const wallMs = wall.getTime()
  if (m[8] !== undefined) return { ok: true, parts: { wallMs, offsetMinutes: 0 } }
  if (m[9] === undefined) return { ok: true, parts: { wallMs, offsetMinutes: undefined } }
  const offsetHours = Number(m[10])
  const offsetMins = Number(m[11])
  if (offsetHours > 23 || offsetMins > 59)
    return fail(`has offset ${m[9]}${m[10]}:${m[11]}; offsets are -23:59 to +23:59`)
  return { ok: true, parts: { wallMs, offsetMinutes: (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins) } }
}

/** The instant of an RFC 3339 date-time with a zone, in epoch ms; undefined otherwise. */
export function parseDateTime(text: string): number | undefined {
  const check = checkDateTime(text)
  if (!check.ok || check.parts.offsetMinutes === undefined) return undefined
  return check.parts.wallMs - check.parts.offsetMinutes * 60_000
}

/**
 * The instant a client means by `value`: an RFC 3339 date-time with a zone, or epoch milliseconds
 * (an integer, or its digits as a string, as in a query string). Undefined when it is neither.
 */
export function parseInstant(value: unknown): number | undefined {
  const ms =
    typeof value === 'number'
      ? value
      : typeof value !== 'string'
        ? undefined
        : EPOCH_MS.test(value)
          ? Number(value)
          : parseDateTime(value)
  // Beyond year 9999 no date type of ours (JavaScript's, SQL's, RFC 3339's) can give it back.
  return ms !== undefined && Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_INSTANT_MS ? ms : undefined
}

/** 9999-12-31T23:59:59.999Z, the last instant RFC 3339 (four-digit years) can write. */
export const MAX_INSTANT_MS = 253_402_300_799_999

/** Why `value` is not an instant, for a message ("timestamp <why>"). */
export function instantProblem(value: unknown): string {
  if (typeof value === 'number' || (typeof value === 'string' && EPOCH_MS.test(value)))
    return 'must be whole epoch milliseconds from 0 to 253402300799999 (9999-12-31)'
  if (typeof value !== 'string') return 'must be an RFC 3339 date-time with a zone or epoch milliseconds'
  const check = checkDateTime(value)
  if (!check.ok) return check.problem
  if (check.parts.offsetMinutes === undefined) return 'has no zone; add Z or an offset like +01:00'
  return 'is not a valid instant'
}

/** The error detail for a field that is not an instant: its path, why, and reason `timestamp_invalid`. */
export function instantDetail(value: unknown, path: string): ErrorDetail & { readonly path: string } {
  const field = path.split('.').at(-1) ?? path
  return {
    path,
    message: `${field} ${JSON.stringify(value) ?? 'missing'} ${instantProblem(value)}`,
    reason: 'timestamp_invalid',
  }
}

/** Epoch milliseconds as RFC 3339 in UTC with milliseconds (`2026-11-23T10:00:00.000Z`). */
export function toIso(ms: number): string {
  return new Date(Number(ms)).toISOString()
}

/** `toIso` for a column that may be empty: `null` stays `null`. */
export function toIsoOrNull(ms: number | null): string | null {
  return ms === null ? null : toIso(ms)
}

export const INSTANT_DESCRIPTION =
  'RFC 3339 date-time with a zone (2026-11-23T10:00:00Z, 2026-11-23T11:00:00+01:00) or epoch milliseconds'

/** The schema format of an instant (`parseInstant`): HTTP's validator and TypeBox's both know it, so a bad date is listed with every other field at fault. */
export const INSTANT_FORMAT = 'instant'
export const isInstantText = (text: string): boolean => parseInstant(text) !== undefined
Format.Set(INSTANT_FORMAT, isInstantText)

/** A query-string or body field that takes an instant, checked with the schema (format `instant`). */
export const InstantText = Type.String({
  minLength: 1,
  maxLength: 40,
  format: INSTANT_FORMAT,
  description: INSTANT_DESCRIPTION,
})
