// Time zones from the runtime's own tz data (`Intl`, nothing downloaded): offsets at an instant,
// local wall-clock times placed on the timeline, and the starts of local hours and days, whose
// length varies (23- and 25-hour days at DST changes, 30-minute shifts at Lord Howe).
import { DAY_MS } from './date-time.js'

const HOUR_MS = 3_600_000
const MINUTE_MS = 60_000
const FIXED_OFFSET = /^([+-])(\d{2}):(\d{2})$/

/** A resolved time zone: an IANA name (`Asia/Kathmandu`) or a fixed offset (`+05:45`, `UTC`). */
export interface TimeZone {
  /** As given, normalised: the IANA name, `UTC`, or `±hh:mm`. */
  readonly name: string
  /** A fixed offset in ms, when the zone never changes it (then SQL can bucket without tz data). */
  readonly fixedOffsetMs: number | undefined
  /** Offset from UTC at `ms`, in ms east of Greenwich (+05:45 -> 20,700,000). */
  offsetAt(ms: number): number
}

const cache = new Map<string, TimeZone>()

function fixedZone(name: string, offsetMs: number): TimeZone {
  return { name, fixedOffsetMs: offsetMs, offsetAt: () => offsetMs }
}

function ianaZone(name: string): TimeZone | undefined {
  let format: Intl.DateTimeFormat
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    })
  } catch {
    return undefined
  }
  const canonical = format.resolvedOptions().timeZone
  if (canonical === 'UTC' || canonical === 'Etc/UTC') return fixedZone(name, 0)
  return {
    name,
    fixedOffsetMs: undefined,
    offsetAt(ms) {
      const whole = Math.floor(ms / 1000) * 1000
      const parts: Record<string, number> = {}
      let isBce = false
      for (const part of format.formatToParts(whole)) {
        if (part.type === 'era') isBce = part.value === 'BC'
        else if (part.type !== 'literal') parts[part.type] = Number(part.value)
      }
      const wall = new Date(Date.UTC(2000, (parts.month ?? 1) - 1, parts.day, parts.hour, parts.minute, parts.second))
      wall.setUTCFullYear(isBce ? 1 - (parts.year ?? 0) : (parts.year ?? 0))
      return wall.getTime() - whole
    },
  }
}

/**
 * The zone named `name` (an IANA name such as `America/Los_Angeles`, `UTC`, or a fixed offset
 * `±hh:mm` whose minutes are 00, 15, 30 or 45); undefined when the runtime does not know it.
 */
export function resolveTimeZone(name: string): TimeZone | undefined {
  const cached = cache.get(name)
  if (cached !== undefined) return cached
  const fixed = FIXED_OFFSET.exec(name)
  let zone: TimeZone | undefined
  if (fixed !== null) {
    const [hours, minutes] = [Number(fixed[2]), Number(fixed[3])]
    if (hours <= 14 && minutes % 15 === 0)
      zone = fixedZone(name, (fixed[1] === '-' ? -1 : 1) * (hours * HOUR_MS + minutes * MINUTE_MS))
  } else if (name.length <= 64 && /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) {
    zone = ianaZone(name)
  }
  if (zone !== undefined) {
    if (cache.size > 500) cache.clear()
    cache.set(name, zone)
  }
  return zone
}

export const UTC: TimeZone = fixedZone('UTC', 0)

/** The wall-clock time at `ms` in `zone`, read as if it were UTC (epoch ms). */
export function toWallClock(ms: number, zone: TimeZone): number {
  return ms + zone.offsetAt(ms)
}

/**
 * The instant a local wall-clock time (`wallMs`, read as if UTC) names in `zone`. Like Temporal's
 * `compatible` disambiguation: a time that occurs twice (the hour DST repeats) is its first
 * occurrence; one that does not exist (the hour DST skips) moves forward by the gap.
 */
export function instantOfWallClock(wallMs: number, zone: TimeZone): number {
  if (zone.fixedOffsetMs !== undefined) return wallMs - zone.fixedOffsetMs
  const before = zone.offsetAt(wallMs - DAY_MS)
  const after = zone.offsetAt(wallMs + DAY_MS)
  const valid = [...new Set([before, after])]
    .map((offset) => wallMs - offset)
    .filter((ms) => zone.offsetAt(ms) === wallMs - ms)
  if (valid.length > 0) return Math.min(...valid)
  return wallMs - before
}

export type CalendarUnit = 'hour' | 'day'

function floorWall(wallMs: number, unit: CalendarUnit): number {
  const size = unit === 'hour' ? HOUR_MS : DAY_MS
  return Math.floor(wallMs / size) * size
}

/** The start of the local hour or day that holds `ms`. */
export function startOfLocal(ms: number, unit: CalendarUnit, zone: TimeZone): number {
  const start = instantOfWallClock(floorWall(toWallClock(ms, zone), unit), zone)
  // A day whose midnight was skipped starts at its first instant, which can come after `ms` rounding down.
  return start > ms
    ? instantOfWallClock(floorWall(toWallClock(ms, zone), unit) - (unit === 'hour' ? HOUR_MS : DAY_MS), zone)
    : start
}

/** The start of the local hour or day after the one starting at `start`. */
function nextLocalStart(start: number, unit: CalendarUnit, zone: TimeZone): number {
  if (unit === 'hour') {
    // An instant one hour on is the next hour's start unless the offset moved by a non-whole hour.
    const candidate = start + HOUR_MS
    if (toWallClock(candidate, zone) % HOUR_MS === 0) return candidate
    return instantOfWallClock(floorWall(toWallClock(candidate, zone), 'hour') + HOUR_MS, zone)
  }
  return instantOfWallClock(floorWall(toWallClock(start, zone), 'day') + DAY_MS, zone)
}

/**
 * The starts of the local hours or days that overlap [fromMs, toMs), in order; the first is the
 * start of the one holding `fromMs`. At most `limit` of them (the caller checks the count first).
 */
export function localBoundaries(
  fromMs: number,
  toMs: number,
  unit: CalendarUnit,
  zone: TimeZone,
  limit: number,
): number[] {
  const starts: number[] = []
  let start = startOfLocal(fromMs, unit, zone)
  while (start < toMs && starts.length < limit) {
    starts.push(start)
    const next = nextLocalStart(start, unit, zone)
    start = next > start ? next : start + (unit === 'hour' ? HOUR_MS : DAY_MS)
  }
  return starts
}
