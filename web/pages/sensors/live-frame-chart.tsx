import { useMemo, useState } from 'preact/hooks'
import { useLive } from '../../api/live'
import { call } from '../../api/session'
import type { SensorStream } from '../../api/types'
import { Chart, type ChartOptions, INTEGER_STEPS, palette } from '../../components/chart'
import { formatTime, Loaded } from '../../components/status'
import { useResource } from '../../components/use-resource'

/** The `sensor-frames` live event: a stream's newest frame, at most once a second (docs/sensors.md). */
export interface SensorFramesEvent {
  readonly deviceId: string
  readonly kind: string
  readonly timestamp: string
  readonly channels: Record<string, number[]>
  /** Frames committed since the previous event. */
  readonly frames: number
}

const COLOURS = [palette.line, palette.second, '#2e8b57', '#8e44ad', '#d35400']
const keyOf = (s: { deviceId: string; kind: string }) => `${s.deviceId}/${s.kind}`

function frameOptions(groups: readonly string[]): ChartOptions {
  return {
    scales: { x: { time: false } },
    axes: [
      { label: 'channel (subcarrier) index', grid: { stroke: palette.grid }, incrs: INTEGER_STEPS },
      { label: 'value', grid: { stroke: palette.grid } },
    ],
    series: [{}, ...groups.map((name, i) => ({ label: name, stroke: COLOURS[i % COLOURS.length], width: 2 }))],
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
  }
}

/** Your streams, and the chosen stream's newest frame drawn per channel index as frames arrive. */
export function LiveFrameChart({ deviceNames }: { deviceNames: ReadonlyMap<string, string> }) {
  const streams = useResource(async () => (await call((api) => api.GET('/v1/sensor-streams'))).streams, [])
  const [chosen, setChosen] = useState<string | undefined>(undefined)
  const [latest, setLatest] = useState<Record<string, SensorFramesEvent & { total: number }>>({})
  useLive<SensorFramesEvent>('sensor-frames', (event) => {
    if (streams.data !== undefined && !streams.data.some((s) => keyOf(s) === keyOf(event))) streams.reload()
    setLatest((all) => ({
      ...all,
      [keyOf(event)]: { ...event, total: (all[keyOf(event)]?.total ?? 0) + event.frames },
    }))
  })
  const current = chosen ?? (streams.data?.[0] === undefined ? undefined : keyOf(streams.data[0]))
  const frame = current === undefined ? undefined : latest[current]
  const groups = useMemo(
    () => Object.keys(frame?.channels ?? {}),
    [frame === undefined ? '' : Object.keys(frame.channels).join()],
  )
  const options = useMemo(() => frameOptions(groups), [groups])
  const data = useMemo(() => {
    if (frame === undefined) return undefined
    const width = Math.max(...groups.map((g) => frame.channels[g]?.length ?? 0))
    return [Array.from({ length: width }, (_, i) => i), ...groups.map((g) => frame.channels[g] ?? [])] as [
      number[],
      ...number[][],
    ]
  }, [frame, groups])
  const nameOf = (s: SensorStream) =>
    `${deviceNames.get(s.deviceId) ?? s.deviceId} · ${s.kind} (${s.layout.map((g) => `${g.name}[${g.length}]`).join(', ')})`
  return (
    <section aria-labelledby="streams-title">
      <h2 id="streams-title">Live frames</h2>
      <Loaded resource={streams} what="streams">
        {(items) =>
          items.length === 0 ? (
            <p>No frames yet. A device sends them with its key: see docs/sensors.md.</p>
          ) : (
            <>
              <label>
                Stream
                <select value={current} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
                  {items.map((s) => (
                    <option key={keyOf(s)} value={keyOf(s)}>
                      {nameOf(s)}
                    </option>
                  ))}
                </select>
              </label>
              {frame === undefined || data === undefined ? (
                <p role="status">Waiting for the stream's next frame…</p>
              ) : (
                <Chart
                  label="The stream's newest frame, values per channel index"
                  options={options}
                  data={data}
                  caption={
                    <span
                      role="status"
                      aria-label="Newest frame"
                    >{`Frame of ${formatTime(frame.timestamp)}; ${frame.total} frames received while this page was open`}</span>
                  }
                />
              )}
            </>
          )
        }
      </Loaded>
    </section>
  )
}
