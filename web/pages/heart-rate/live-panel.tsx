import { useMemo, useState } from 'preact/hooks'
import { useLive } from '../../api/live'
import { call } from '../../api/session'
import type { Sample } from '../../api/types'
import { Chart, type ChartData, palette, timeSeriesOptions, toSeconds } from '../../components/chart'
import { ErrorNote, formatTime } from '../../components/status'
import { useResource } from '../../components/use-resource'

const WINDOW_MS = 5 * 60_000
const LIVE_OPTIONS = timeSeriesOptions([{ label: 'Heart rate', stroke: palette.line }], 'bpm')

/** The live event `heart-rate`: the samples one request stored. */
interface HeartRateEvent {
  readonly deviceId: string | null
  readonly samples: readonly Sample[]
}

function byTime(a: Sample, b: Sample): number {
  return Date.parse(a.timestamp) - Date.parse(b.timestamp)
}

/** The current value and a chart of the last five minutes, both updated by the `heart-rate` live event. */
export function LivePanel() {
  const initial = useResource(async () => {
    const from = new Date(Date.now() - WINDOW_MS).toISOString()
    const [page, status] = await Promise.all([
      call((api) => api.GET('/v1/heart-rate/samples', { params: { query: { from, limit: 10_000 } } })),
      call((api) => api.GET('/v1/heart-rate/status', { params: { query: { recent: 1 } } })),
    ])
    return { samples: page.samples, latest: status.recent.at(-1) }
  }, [])
  const [live, setLive] = useState<{ samples: Sample[]; latest?: Sample } | undefined>(undefined)
  const current = live ?? (initial.data && { samples: [...initial.data.samples], latest: initial.data.latest })

  useLive<HeartRateEvent>('heart-rate', (event) => {
    const base = current ?? { samples: [] }
    const cutoff = Date.now() - WINDOW_MS
    const samples = [...base.samples, ...event.samples].filter((s) => Date.parse(s.timestamp) >= cutoff).sort(byTime)
    const newest = [...event.samples].sort(byTime).at(-1)
    const latest = base.latest && newest && byTime(base.latest, newest) > 0 ? base.latest : (newest ?? base.latest)
    setLive({ samples, latest })
  })
  // After a reconnect, events sent while away are gone: read the window again.
  useLive('ready', () => {
    setLive(undefined)
    initial.reload()
  })

  const data = useMemo<ChartData>(() => {
    const samples = current?.samples ?? []
    return [samples.map((s) => toSeconds(s.timestamp)), samples.map((s) => s.bpm)]
  }, [current?.samples])

  const latest = current?.latest
  return (
    <section aria-labelledby="live-title" class="live-panel">
      <h2 id="live-title">Now</h2>
      <ErrorNote error={initial.error} />
      <p class="current">
        <output aria-label="Current heart rate" aria-live="polite" class={latest?.alert ? 'alerting' : undefined}>
          {latest ? latest.bpm : '—'}
        </output>
        <span class="unit">bpm</span>
        <span class="hint">
          {latest
            ? `at ${formatTime(latest.timestamp)}${latest.alert ? `, ${latest.alert} alert` : ''}`
            : 'no samples yet'}
        </span>
      </p>
      <Chart
        label="Live heart rate, last 5 minutes"
        options={LIVE_OPTIONS}
        data={data}
        height={200}
        caption={`Live: ${data[0].length} ${data[0].length === 1 ? 'sample' : 'samples'} in the last 5 minutes`}
      />
    </section>
  )
}
