import { useMemo } from 'preact/hooks'
import { call } from '../../api/session'
import { Chart, palette, timeSeriesOptions, toSeconds } from '../../components/chart'
import { Loaded } from '../../components/status'
import { useResource } from '../../components/use-resource'
import type { Range } from './range'

const HRV_OPTIONS = timeSeriesOptions(
  [
    { label: 'RMSSD', stroke: palette.second },
    { label: 'SDNN', stroke: palette.line },
  ],
  'ms',
)

/** HRV (RMSSD and SDNN) over the range: per minute up to 6 hours, per hour beyond. */
export function HrvChart({ range, version }: { range: Range; version: number }) {
  const bucket = Date.parse(range.to) - Date.parse(range.from) > 6 * 3_600_000 ? '1h' : '1m'
  const hrv = useResource(
    () =>
      call((api) =>
        api.GET('/v1/heart-rate/hrv/series', { params: { query: { from: range.from, to: range.to, bucket } } }),
      ),
    [range.from, range.to, bucket, version],
  )
  const data = useMemo(() => {
    const points = hrv.data?.points ?? []
    return [points.map((p) => toSeconds(p.start)), points.map((p) => p.rmssdMs), points.map((p) => p.sdnnMs)] as [
      number[],
      (number | null)[],
      (number | null)[],
    ]
  }, [hrv.data])
  return (
    <section aria-labelledby="hrv-title">
      <h2 id="hrv-title">Heart-rate variability</h2>
      <Loaded resource={hrv} what="HRV">
        {(series) =>
          series.points.length === 0 ? (
            <p>No RR intervals in this range: HRV needs devices that send them.</p>
          ) : (
            <Chart
              label={`HRV per ${bucket === '1h' ? 'hour' : 'minute'}, ${range.label}`}
              options={HRV_OPTIONS}
              data={data}
              height={200}
              caption={`${series.points.length} ${bucket === '1h' ? 'hour' : 'minute'}${series.points.length === 1 ? '' : 's'} with RR intervals`}
            />
          )
        }
      </Loaded>
    </section>
  )
}
