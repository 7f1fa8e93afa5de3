import { useState } from 'preact/hooks'
import { useLive } from '../../api/live'
import { call } from '../../api/session'
import { formatTime, Loaded } from '../../components/status'
import { Table } from '../../components/table'
import { useResource } from '../../components/use-resource'

interface Prediction {
  readonly timestamp: string
  readonly label: string
  readonly probabilities: Record<string, number>
}

/** The `sensor-prediction` live event (docs/sensors.md, "Inference"). */
interface SensorPredictionEvent {
  readonly deviceId: string
  readonly kind: string
  readonly modelId: string
  readonly predictions: Prediction[]
  readonly skipped: number
}

const keyOf = (s: { deviceId: string; kind: string }) => `${s.deviceId}/${s.kind}`

/** Your live classifiers with each one's latest prediction, updated as `sensor-prediction` events arrive. */
export function LivePredictions({ deviceNames }: { deviceNames: ReadonlyMap<string, string> }) {
  const classifiers = useResource(
    async () => (await call((api) => api.GET('/v1/live-classifiers'))).liveClassifiers,
    [],
  )
  const [latest, setLatest] = useState<Record<string, Prediction>>({})
  useLive<SensorPredictionEvent>('sensor-prediction', (event) => {
    const newest = event.predictions.at(-1)
    if (newest !== undefined) setLatest((all) => ({ ...all, [keyOf(event)]: newest }))
  })
  return (
    <section aria-labelledby="live-title">
      <h2 id="live-title">Live classification</h2>
      <Loaded resource={classifiers} what="live classifiers">
        {(items) =>
          items.length === 0 ? (
            <p>
              No live classifiers. Attach a model to a device's stream with PUT /v1/live-classifiers/:deviceId/:kind.
            </p>
          ) : (
            <Table headers={['Device', 'Kind', 'Latest label', 'Probability', 'At']}>
              {items.map((c) => {
                const p = latest[keyOf(c)] ?? c.latest ?? undefined
                return (
                  <tr key={keyOf(c)}>
                    <td>{deviceNames.get(c.deviceId) ?? c.deviceId}</td>
                    <td>{c.kind}</td>
                    <td>
                      {p === undefined ? (
                        '—'
                      ) : (
                        <output aria-label={`Latest label of ${deviceNames.get(c.deviceId) ?? c.deviceId}`}>
                          {p.label}
                        </output>
                      )}
                    </td>
                    <td>{p === undefined ? '—' : `${((p.probabilities[p.label] ?? 0) * 100).toFixed(0)} %`}</td>
                    <td>{formatTime(p?.timestamp)}</td>
                  </tr>
                )
              })}
            </Table>
          )
        }
      </Loaded>
    </section>
  )
}
