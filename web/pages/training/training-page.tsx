import { useState } from 'preact/hooks'
import { call } from '../../api/session'
import { useTrainingJobs } from '../../api/training'
import type { TrainingJob } from '../../api/types'
import { LossChart } from '../../components/loss-chart'
import { ErrorNote, formatTime, Loaded } from '../../components/status'
import { useResource } from '../../components/use-resource'
import { ModelsTable } from './models-table'
import { Table } from '../../components/table'

const isActive = (job: TrainingJob) => job.state === 'queued' || job.state === 'running'

export function TrainingPage() {
  const [modelsVersion, setModelsVersion] = useState(0)
  const jobs = useTrainingJobs(() => setModelsVersion((v) => v + 1))
  const models = useResource(
    async () => (await call((api) => api.GET('/v1/models', { params: { query: { limit: 20 } } }))).models,
    [modelsVersion],
  )
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)
  const selected = jobs.data?.find((job) => job.id === selectedId) ?? jobs.data?.[0]

  async function cancel(job: TrainingJob) {
    setError(undefined)
    try {
      await call((api) => api.POST('/v1/training-jobs/{id}/cancel', { params: { path: { id: job.id } } }))
      jobs.reload()
    } catch (failure) {
      setError(failure)
    }
  }

  return (
    <>
      <h1>Training jobs and models</h1>
      <ErrorNote error={error} />
      <section aria-labelledby="jobs-title">
        <h2 id="jobs-title">Training jobs</h2>
        <Loaded resource={jobs} what="training jobs">
          {(items) =>
            items.length === 0 ? (
              <p>No training jobs yet. Train the meditation recommender from the Meditation page.</p>
            ) : (
              <Table headers={['Kind', 'Created', 'State', 'Epochs', 'Time to train', 'Actions']}>
                {items.map((job) => (
                  <tr key={job.id} aria-current={job === selected ? 'true' : undefined}>
                    <td>{job.kind}</td>
                    <td>{formatTime(job.createdAt)}</td>
                    <td>
                      {job.state}
                      {job.isCancelRequested && isActive(job) ? ' (cancelling)' : ''}
                      {job.error ? `: ${job.error}` : ''}
                    </td>
                    <td>{job.epochs.length}</td>
                    <td>{job.durationMs === null ? '—' : `${(job.durationMs / 1000).toFixed(1)} s`}</td>
                    <td>
                      <button
                        type="button"
                        onClick={() => setSelectedId(job.id)}
                        aria-label={`Show loss curve of the job created ${formatTime(job.createdAt)}`}
                      >
                        Curve
                      </button>
                      {isActive(job) && (
                        <button
                          type="button"
                          class="danger"
                          onClick={() => void cancel(job)}
                          aria-label={`Cancel the job created ${formatTime(job.createdAt)}`}
                        >
                          Cancel
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </Table>
            )
          }
        </Loaded>
        {selected && (
          <LossChart
            epochs={selected.epochs}
            label={`Loss per epoch of the ${selected.kind} job created ${formatTime(selected.createdAt)}`}
            loss={selected.kind === 'meditation' ? 'MSE' : 'cross-entropy'}
          />
        )}
      </section>
      <section aria-labelledby="models-title">
        <h2 id="models-title">Models</h2>
        <Loaded resource={models} what="models">
          {(items) => <ModelsTable models={items} />}
        </Loaded>
      </section>
    </>
  )
}
