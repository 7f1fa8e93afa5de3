import { useState } from 'preact/hooks'
import { call } from '../../api/session'
import type { TrainingJob } from '../../api/types'
import { LossChart } from '../../components/loss-chart'
import { ErrorNote, formatTime, Loaded } from '../../components/status'
import { Table } from '../../components/table'
import { useResource } from '../../components/use-resource'
import { QualityReport } from './quality-report'

/**
 * Your labelled datasets; the chosen one's quality report, and a button that trains a classifier on it
 * (a `sensor-classifier` training job whose loss curve grows live).
 */
export function DatasetsPanel({
  jobs,
  onQueued,
}: {
  jobs: readonly TrainingJob[]
  onQueued: (job: TrainingJob) => void
}) {
  const datasets = useResource(
    async () => (await call((api) => api.GET('/v1/sensor-datasets', { params: { query: { limit: 50 } } }))).datasets,
    [],
  )
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)
  const selected = datasets.data?.find((d) => d.id === selectedId) ?? datasets.data?.[0]
  const job = jobs.find((j) => j.kind === 'sensor-classifier')

  async function train(datasetId: string) {
    setError(undefined)
    try {
      onQueued(
        await call((api) =>
          api.POST('/v1/sensor-datasets/{id}/train', { params: { path: { id: datasetId } }, body: {} }),
        ),
      )
    } catch (failure) {
      setError(failure)
    }
  }

  return (
    <section aria-labelledby="datasets-title">
      <h2 id="datasets-title">Datasets</h2>
      <Loaded resource={datasets} what="datasets">
        {(items) =>
          items.length === 0 ? (
            <p>No datasets yet. Record one from a device or import a CSV: see docs/sensors.md.</p>
          ) : (
            <Table headers={['Name', 'Frames', 'Labels', 'Created', '']}>
              {items.map((d) => (
                <tr key={d.id} aria-current={d === selected ? 'true' : undefined}>
                  <td>{d.name}</td>
                  <td>{d.frameCount}</td>
                  <td>{d.labels.map((l) => `${l.label} (${l.count})`).join(', ') || '—'}</td>
                  <td>{formatTime(d.createdAt)}</td>
                  <td>
                    <button
                      type="button"
                      onClick={() => setSelectedId(d.id)}
                      aria-label={`Show the quality report of ${d.name}`}
                    >
                      Quality
                    </button>
                    <button
                      type="button"
                      onClick={() => void train(d.id)}
                      aria-label={`Train a classifier on ${d.name}`}
                    >
                      Train
                    </button>
                  </td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      <ErrorNote error={error} />
      {job && (
        <>
          <p role="status" aria-label="Classifier training">
            Latest classifier training, of {formatTime(job.createdAt)}: {job.state}
            {job.error ? ` (${job.error})` : ''}, {job.epochs.length} epochs
          </p>
          <LossChart epochs={job.epochs} label="Loss per epoch of the classifier training" loss="cross-entropy" />
        </>
      )}
      {selected && <QualityReport datasetId={selected.id} version={selected.frameCount} />}
    </section>
  )
}
