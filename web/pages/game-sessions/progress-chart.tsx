import { useMemo } from 'preact/hooks'
import { call } from '../../api/session'
import { Chart, palette, timeSeriesOptions, toSeconds } from '../../components/chart'
import { Loaded } from '../../components/status'
import { useResource } from '../../components/use-resource'

const PROGRESS_OPTIONS = timeSeriesOptions([{ label: 'Score', stroke: palette.second }], 'score')

/** The score trend of one game over its processed sessions. */
export function ProgressChart({ gameId, version }: { gameId: string; version: number }) {
  const progress = useResource(
    () =>
      call((api) =>
        api.GET('/v1/progress/games/{game}', { params: { path: { game: gameId }, query: { limit: 100 } } }),
      ),
    [gameId, version],
  )
  const data = useMemo(() => {
    const points = progress.data?.points ?? []
    return [points.map((p) => toSeconds(p.endedAt)), points.map((p) => p.score)] as [number[], number[]]
  }, [progress.data])
  return (
    <Loaded resource={progress} what="progress">
      {(trend) => (
        <Chart
          label={`Score per session of ${gameId}`}
          options={{
            ...PROGRESS_OPTIONS,
            series: PROGRESS_OPTIONS.series.map((s, i) => (i === 1 ? { ...s, points: { show: true, size: 6 } } : s)),
          }}
          data={data}
          height={200}
          caption={
            trend.sessions === 0
              ? 'No processed sessions yet.'
              : `${trend.sessions} sessions; best ${trend.bestScore}, mean ${Math.round((trend.meanScore ?? 0) * 100) / 100}, trend ${trend.scoreSlope === null ? '—' : `${Math.round(trend.scoreSlope * 100) / 100} per session`}`
          }
        />
      )}
    </Loaded>
  )
}
