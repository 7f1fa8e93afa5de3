import { useMemo } from 'preact/hooks'
import uPlot from 'uplot'
import { followLink } from '../../api/router'
import { call } from '../../api/session'
import type { UserSettings } from '../../api/types'
import { Chart, type ChartOptions, palette } from '../../components/chart'
import { Loaded } from '../../components/status'
import { useResource } from '../../components/use-resource'
import type { Range } from './range'

const LABELS = ['Below', 'Zone 1', 'Zone 2', 'Zone 3', 'Zone 4', 'Zone 5']

const ZONES_OPTIONS: ChartOptions = {
  scales: {
    x: { time: false, range: [-0.5, LABELS.length - 0.5] },
    y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
  },
  axes: [
    {
      splits: () => LABELS.map((_, i) => i),
      values: (_u, splits) => splits.map((i) => LABELS[i] ?? ''),
      grid: { show: false },
    },
    { label: 'minutes', grid: { stroke: palette.grid } },
  ],
  series: [
    {},
    {
      label: 'Minutes',
      stroke: palette.bar,
      fill: palette.bar,
      paths: uPlot.paths.bars?.({ size: [0.6, 80] }),
      points: { show: false },
    },
  ],
  legend: { show: false },
  cursor: { show: false },
}

/** Time per exercise zone over the range, as bars; zones need a maximum heart rate, or a birth year for 220 − age. */
export function ZonesChart({ range, version, settings }: { range: Range; version: number; settings: UserSettings }) {
  const hasMaximum = settings.maxHeartRate !== undefined || settings.birthYear !== undefined
  if (!hasMaximum) {
    return (
      <section aria-labelledby="zones-title">
        <h2 id="zones-title">Exercise zones</h2>
        <p>
          Zones need your maximum heart rate or your birth year: set one in{' '}
          <a href="/profile" onClick={followLink}>
            Profile
          </a>
          .
        </p>
      </section>
    )
  }
  return <ZonesBars range={range} version={version} />
}

function ZonesBars({ range, version }: { range: Range; version: number }) {
  const zones = useResource(
    () => call((api) => api.GET('/v1/heart-rate/zones', { params: { query: { from: range.from, to: range.to } } })),
    [range.from, range.to, version],
  )
  const data = useMemo(() => {
    const z = zones.data
    if (z === undefined) return undefined
    const minutes = [z.belowZonesSeconds, ...z.zones.map((zone) => zone.seconds)].map(
      (s) => Math.round((s / 60) * 10) / 10,
    )
    return [LABELS.map((_, i) => i), minutes] as [number[], number[]]
  }, [zones.data])
  return (
    <section aria-labelledby="zones-title">
      <h2 id="zones-title">Exercise zones</h2>
      <Loaded resource={zones} what="zones">
        {(z) => (
          <Chart
            label={`Minutes per exercise zone, ${range.label}`}
            options={ZONES_OPTIONS}
            data={data ?? [[], []]}
            height={200}
            caption={`${z.method === 'karvonen' ? 'Karvonen (heart-rate reserve)' : 'Percent of maximum'} zones, maximum ${z.maxHeartRate} bpm${z.restingHeartRate === null ? '' : `, resting ${z.restingHeartRate} bpm`}; ${Math.round(z.totalSeconds / 60)} minutes counted`}
          />
        )}
      </Loaded>
    </section>
  )
}
