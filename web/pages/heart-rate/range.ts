/** A time range the history, zones, HRV and exports share. */
export interface Range {
  readonly label: string
  readonly from: string
  readonly to: string
}

export const RANGES = [
  { label: 'last hour', ms: 3_600_000 },
  { label: 'last 6 hours', ms: 6 * 3_600_000 },
  { label: 'last 24 hours', ms: 86_400_000 },
  { label: 'last 7 days', ms: 7 * 86_400_000 },
] as const

/** The range ending now (a minute ahead, so samples stamped by a fast device clock are in it). */
export function rangeEndingNow(index: number): Range {
  const choice = RANGES[index] ?? RANGES[0]
  const to = Date.now() + 60_000
  return { label: choice.label, from: new Date(to - choice.ms).toISOString(), to: new Date(to).toISOString() }
}
