// What a meditation session's dates and measurements must pass before anything is stored or
// computed from them: the heart-rate domain's ingest checks, the same as every path that takes samples.
import { type ErrorDetail, invalidRequest } from '../../errors.js'
import type { Db } from '../../platform/db/database.js'
import type { Principal } from '../../platform/auth/principal.js'
import { checkDateTime, instantDetail, toIso } from '../../platform/time/date-time.js'
import { instantOfWallClock, type TimeZone, UTC } from '../../platform/time/time-zone.js'
import { readLocalTimeZone } from '../devices/devices.service.js'
import { checkSamples, type HeartRateDeps } from '../heart-rate/heart-rate.service.js'
import type { CheckedSample } from '../heart-rate/sample-checks.js'
import type { Period } from './meditation.schema.js'

export interface DateOptions {
  /**
   * Accept date-times with no zone (seed clients send local wall-clock time): they are placed on
   * the timeline in the device's time zone, else the user's, else UTC, and kept as written.
   */
  readonly isLocalTimeAllowed?: boolean
}

export interface PlacedDate {
  /** Epoch milliseconds. */
  readonly ms: number
  /** The text as sent, when it is not the canonical `toIso(ms)` (kept so seed clients get it back). */
  readonly asSent: string | null
}

export interface CheckedPeriods {
  /** Each period's measurements, placed on the timeline. */
  readonly dates: PlacedDate[][]
  /** The measurements as heart-rate samples (the first of a repeated time only). */
  readonly samples: CheckedSample[]
}

/** The zone zone-less times are read in, when they are allowed. */
export async function zoneForDates(db: Db, owner: Principal, options: DateOptions): Promise<TimeZone> {
  return options.isLocalTimeAllowed === true ? readLocalTimeZone(db, owner) : UTC
}

/** RFC 3339 date-times placed on the timeline (zone-less ones in `zone`, if allowed); problems name their paths. */
export function placeDates(
  texts: ReadonlyArray<{ text: string; path: string }>,
  zone: TimeZone,
  options: DateOptions,
  problems: ErrorDetail[],
): PlacedDate[] {
  return texts.map(({ text, path }) => {
    const check = checkDateTime(text)
    let ms: number | undefined
    if (check.ok && check.parts.offsetMinutes !== undefined)
      ms = check.parts.wallMs - check.parts.offsetMinutes * 60_000
    else if (check.ok && options.isLocalTimeAllowed === true) ms = instantOfWallClock(check.parts.wallMs, zone)
    if (ms === undefined) {
      problems.push(instantDetail(text, path))
      return { ms: 0, asSent: null }
    }
    return { ms, asSent: text === toIso(ms) ? null : text }
  })
}

/**
 * The measurements of `periods` through the heart-rate ingest checks (plausible bpm, dates from
 * 2000 on and not ahead of the clock). A repeated time is kept in the session but stored as one
 * sample. Throws invalid_argument naming every problem, `earlier` ones (e.g. the session date) first.
 */
export async function checkPeriods(
  deps: { readonly db: Db; readonly heartRate: HeartRateDeps },
  owner: Principal,
  periods: readonly Period[],
  path: string,
  options: DateOptions = {},
  earlier: readonly ErrorDetail[] = [],
): Promise<CheckedPeriods> {
  const problems = [...earlier]
  const zone = await zoneForDates(deps.db, owner, options)
  const dates = periods.map((p, i) =>
    placeDates(
      p.heartRates.map((h, j) => ({ text: h.timestamp, path: `${path}.${i}.heartRates.${j}.timestamp` })),
      zone,
      options,
      problems,
    ),
  )
  if (problems.length > 0) throw invalidRequest(problems)
  const where: string[] = []
  const raws = periods.flatMap((p, i) =>
    p.heartRates.map((h, j) => {
      where.push(`${path}.${i}.heartRates.${j}`)
      return { timestamp: dates[i]?.[j]?.ms, bpm: h.bpm }
    }),
  )
  const checked = await checkSamples(deps.heartRate, owner, raws)
  checked.verdicts.forEach((verdict, k) => {
    if (verdict.status !== 'rejected' || verdict.reason === 'duplicate_in_batch') return
    const field =
      verdict.reason?.startsWith('timestamp') === true
        ? '.timestamp'
        : verdict.reason?.startsWith('bpm') === true
          ? '.bpm'
          : ''
    problems.push({ path: `${where[k] as string}${field}`, message: verdict.message ?? '', reason: verdict.reason })
  })
  if (problems.length > 0) throw invalidRequest(problems)
  return { dates, samples: checked.valid }
}
