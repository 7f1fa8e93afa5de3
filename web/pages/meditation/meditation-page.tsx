import { useState } from 'preact/hooks'
import { call } from '../../api/session'
import { useTrainingJobs } from '../../api/training'
import { LossChart } from '../../components/loss-chart'
import { ErrorNote, formatTime, Loaded } from '../../components/status'
import { useResource } from '../../components/use-resource'
import { RecommendationPanel } from './recommendation-panel'
import { SessionCurve } from './session-curve'
import { Table } from '../../components/table'

export function MeditationPage() {
  const sessions = useResource(
    async () =>
      (await call((api) => api.GET('/v1/meditation/sessions', { params: { query: { limit: 50 } } }))).sessions,
    [],
  )
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined)
  const jobs = useTrainingJobs()
  const [error, setError] = useState<unknown>(undefined)
  const latest = jobs.data?.find((job) => job.kind === 'meditation')
  const selected = sessions.data?.find((s) => s.id === selectedId) ?? sessions.data?.[0]

  async function train() {
    setError(undefined)
    try {
      jobs.add(await call((api) => api.POST('/v1/training-jobs', { body: { kind: 'meditation' } })))
    } catch (failure) {
      setError(failure)
    }
  }

  return (
    <>
      <h1>Meditation</h1>
      <section aria-labelledby="train-title">
        <h2 id="train-title">Recommender</h2>
        <p>A small LSTM learns how your heart rate responds to each configuration, from your sessions.</p>
        <button type="button" onClick={() => void train()}>
          Train the recommender
        </button>
        <ErrorNote error={error} />
        {latest && (
          <>
            <p role="status">
              Training job of {formatTime(latest.createdAt)}: {latest.state}
              {latest.error ? ` (${latest.error})` : ''}
            </p>
            <LossChart epochs={latest.epochs} label="Loss per epoch of the latest meditation training" />
          </>
        )}
      </section>
      <RecommendationPanel />
      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        <Loaded resource={sessions} what="meditation sessions">
          {(items) =>
            items.length === 0 ? (
              <p>No meditation sessions yet. Apps store them with POST /v1/meditation/sessions.</p>
            ) : (
              <>
                {selected && <SessionCurve session={selected} />}
                <Table headers={['Date', 'Minutes', 'Periods', 'Completed', 'Curve']}>
                  {items.map((s) => (
                    <tr key={s.id} aria-current={s === selected ? 'true' : undefined}>
                      <td>{formatTime(s.date)}</td>
                      <td>{Math.round(s.durationSeconds / 60)}</td>
                      <td>{s.periods.length}</td>
                      <td>{s.isCompleted ? 'yes' : s.isCanceled ? 'cancelled' : 'no'}</td>
                      <td>
                        <button
                          type="button"
                          onClick={() => setSelectedId(s.id)}
                          aria-label={`Show heart rate of the session of ${formatTime(s.date)}`}
                        >
                          Show
                        </button>
                      </td>
                    </tr>
                  ))}
                </Table>
              </>
            )
          }
        </Loaded>
      </section>
    </>
  )
}
