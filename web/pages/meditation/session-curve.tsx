import { useMemo } from 'preact/hooks'
import type { MeditationSession } from '../../api/types'
import { Chart, palette, timeSeriesOptions, toSeconds } from '../../components/chart'
import { formatTime } from '../../components/status'

const CURVE_OPTIONS = timeSeriesOptions([{ label: 'Heart rate', stroke: palette.line }], 'bpm')

/** A meditation session's heart-rate measurements over all its periods. */
export function SessionCurve({ session }: { session: MeditationSession }) {
  const data = useMemo(() => {
    const points = session.periods
      .flatMap((p) => p.heartRates)
      .sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp))
    return [points.map((p) => toSeconds(p.timestamp)), points.map((p) => p.bpm)] as [number[], number[]]
  }, [session])
  return (
    <Chart
      label={`Heart rate during the session of ${formatTime(session.date)}`}
      options={CURVE_OPTIONS}
      data={data}
      height={180}
      caption={`${session.periods.length} periods, ${data[0].length} measurements, ${Math.round(session.durationSeconds / 60)} minutes`}
    />
  )
}
