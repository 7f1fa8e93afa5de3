import { useMemo, useState } from 'preact/hooks'
import { call } from '../../api/session'
import { useTrainingJobs } from '../../api/training'
import { formatTime, Loaded } from '../../components/status'
import { Table } from '../../components/table'
import { useResource } from '../../components/use-resource'
import { DatasetsPanel } from './datasets-panel'
import { LiveFrameChart } from './live-frame-chart'
import { LivePredictions } from './live-predictions'
import { SensorModelDetails } from './sensor-model-details'

/** Sensors: live frames, datasets with their quality reports, classifiers with their confusion matrices, live classification. */
export function SensorsPage() {
  const devices = useResource(async () => (await call((api) => api.GET('/v1/devices'))).devices, [])
  const deviceNames = useMemo(() => new Map((devices.data ?? []).map((d) => [d.id, d.name])), [devices.data])
  const [modelsVersion, setModelsVersion] = useState(0)
  const jobs = useTrainingJobs((event) => event.kind === 'sensor-classifier' && setModelsVersion((v) => v + 1))
  const models = useResource(
    async () => (await call((api) => api.GET('/v1/sensor-models', { params: { query: { limit: 20 } } }))).models,
    [modelsVersion],
  )
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined)
  const selected = models.data?.find((m) => m.id === selectedId) ?? models.data?.[0]
  return (
    <>
      <h1>Sensors</h1>
      <LiveFrameChart deviceNames={deviceNames} />
      <DatasetsPanel jobs={jobs.data ?? []} onQueued={jobs.add} />
      <section aria-labelledby="classifiers-title">
        <h2 id="classifiers-title">Classifiers</h2>
        <Loaded resource={models} what="sensor classifiers">
          {(items) =>
            items.length === 0 ? (
              <p>No classifiers yet. Train one on a dataset above.</p>
            ) : (
              <Table headers={['Version', 'Trained', 'Examples', 'Held-out accuracy', '']}>
                {items.map((m) => (
                  <tr key={m.id} aria-current={m === selected ? 'true' : undefined}>
                    <td>{m.version}</td>
                    <td>{formatTime(m.createdAt)}</td>
                    <td>{m.examples}</td>
                    <td>
                      {typeof m.metrics.accuracy === 'number' ? `${(m.metrics.accuracy * 100).toFixed(1)} %` : '—'}
                    </td>
                    <td>
                      <button
                        type="button"
                        onClick={() => setSelectedId(m.id)}
                        aria-label={`Show the confusion matrix of version ${m.version}`}
                      >
                        Details
                      </button>
                    </td>
                  </tr>
                ))}
              </Table>
            )
          }
        </Loaded>
        {selected && <SensorModelDetails model={selected} />}
      </section>
      <LivePredictions deviceNames={deviceNames} />
    </>
  )
}
