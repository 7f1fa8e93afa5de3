import { useMemo } from 'preact/hooks'
import uPlot from 'uplot'
import { call } from '../../api/session'
import type { Alert } from '../../api/types'
import { Chart, type ChartData, type ChartOptions, palette, timeScale, toSeconds } from '../../components/chart'
import { Loaded } from '../../components/status'
import { useResource } from '../../components/use-resource'
import type { Range } from './range'

type SeriesPoint = { start: string; avg: number; min: number; max: number }

// Alert episodes are a filled step series on a 0..1 scale of their own: 1 inside an episode, null
// outside, so uPlot fills each episode from the top of the chart to the bottom as a band.
const HISTORY_OPTIONS: ChartOptions = {
  scales: { x: timeScale, band: { range: [0, 1] } },
  axes: [{ grid: { stroke: palette.grid } }, { label: 'bpm', grid: { stroke: palette.grid } }],
  series: [
    {},
    { label: 'Average', stroke: palette.line, width: 2, spanGaps: true },
    { label: 'Min', stroke: '#d98880', width: 1, dash: [4, 4], spanGaps: true },
    { label: 'Max', stroke: '#d98880', width: 1, dash: [4, 4], spanGaps: true },
    {
      label: 'Alert episode',
      scale: 'band',
      stroke: 'transparent',
      fill: palette.band,
      paths: uPlot.paths.stepped?.({ align: 1 }),
      points: { show: false },
      spanGaps: false,
    },
  ],
  legend: { show: true },
  cursor: { drag: { x: false, y: false } },
}

/** Episode [start, end] in seconds; an open one runs to its last alert sample. */
function episodeSpan(alert: Alert): [number, number] {
  return [toSeconds(alert.openedAt), toSeconds(alert.closedAt ?? alert.lastAlertAt)]
}

/** The aligned data: bucket starts plus every episode boundary on x, so each band starts and ends exactly. */
function historyData(points: readonly SeriesPoint[], alerts: readonly Alert[]): ChartData {
  const spans = alerts.map(episodeSpan)
  const byTime = new Map<number, SeriesPoint | undefined>(points.map((p) => [toSeconds(p.start), p]))
  for (const [start, end] of spans) {
    if (!byTime.has(start)) byTime.set(start, undefined)
    if (!byTime.has(end)) byTime.set(end, undefined)
  }
  const xs = [...byTime.keys()].sort((a, b) => a - b)
  const pick = (key: 'avg' | 'min' | 'max') => xs.map((x) => byTime.get(x)?.[key] ?? null)
  const band = xs.map((x) => (spans.some(([start, end]) => x >= start && x <= end) ? 1 : null))
  return [xs, pick('avg'), pick('min'), pick('max'), band]
}

/** The 1-minute series of the chosen range with its alert episodes as bands. `version` reloads it. */
export function HistoryChart({ range, version }: { range: Range; version: number }) {
  const resource = useResource(async () => {
    const query = { from: range.from, to: range.to }
    const [series, alerts] = await Promise.all([
      call((api) => api.GET('/v1/heart-rate/series', { params: { query: { ...query, bucket: '1m' } } })),
      call((api) => api.GET('/v1/heart-rate/alerts', { params: { query: { state: 'all', limit: 500 } } })),
    ])
    const [from, to] = [Date.parse(range.from), Date.parse(range.to)]
    const inRange = alerts.alerts.filter(
      (a) => Date.parse(a.openedAt) < to && Date.parse(a.closedAt ?? a.lastAlertAt) >= from,
    )
    return { points: series.points, alerts: inRange }
  }, [range.from, range.to, version])
  const data = useMemo(() => resource.data && historyData(resource.data.points, resource.data.alerts), [resource.data])

  return (
    <Loaded resource={resource} what="the history">
      {({ points, alerts }) => (
        <Chart
          label={`Heart rate per minute, ${range.label}, with alert episodes as bands`}
          options={HISTORY_OPTIONS}
          data={data as ChartData}
          caption={`${points.length} ${points.length === 1 ? 'minute' : 'minutes'} with samples; ${alerts.length} alert ${alerts.length === 1 ? 'episode' : 'episodes'} marked`}
        />
      )}
    </Loaded>
  )
}
