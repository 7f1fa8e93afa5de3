import { useState } from 'preact/hooks'
import { call } from '../../api/session'
import type { PlaygroundRun } from '../../api/types'
import { LossChart } from '../../components/loss-chart'
import { ErrorNote } from '../../components/status'
import { AccuracyChart } from './accuracy-chart'
import { RunResults } from './run-results'

export const isActive = (run: PlaygroundRun) => run.job.state === 'queued' || run.job.state === 'running'

/** The chosen run: live progress (percent, loss and accuracy per epoch), cancel while it is queued or running, the results once it succeeded. */
export function RunDetails({ run, onChanged }: { run: PlaygroundRun; onChanged: (run: PlaygroundRun) => void }) {
  const [error, setError] = useState<unknown>(undefined)
  const isNetwork = run.dataSource !== 'CLASSICAL_ML'

  async function cancel() {
    setError(undefined)
    try {
      await call((api) => api.POST('/v1/training-jobs/{id}/cancel', { params: { path: { id: run.id } } }))
      onChanged(await call((api) => api.GET('/v1/playground/runs/{id}', { params: { path: { id: run.id } } })))
    } catch (failure) {
      setError(failure)
    }
  }

  const epochs = run.job.epochs.length
  return (
    <section aria-labelledby="run-title">
      <h3 id="run-title">{run.name}</h3>
      <p role="status" aria-label="Run progress">
        {run.job.state}
        {run.job.isCancelRequested && isActive(run) ? ' (cancelling)' : ''}
        {run.job.error ? `: ${run.job.error}` : ''}; {epochs} {epochs === 1 ? 'epoch' : 'epochs'},{' '}
        {Math.round(run.percent)} %
      </p>
      <progress max={100} value={run.percent} aria-label={`Progress of ${run.name}`} />
      {isActive(run) && (
        <button type="button" class="danger" onClick={() => void cancel()}>
          Cancel the run
        </button>
      )}
      <ErrorNote error={error} />
      {isNetwork && (
        <div class="columns">
          <LossChart epochs={run.job.epochs} label={`Loss per epoch of ${run.name}`} loss="as configured" />
          {run.job.epochs.some((e) => e.accuracy !== undefined && e.accuracy !== null) && (
            <AccuracyChart epochs={run.job.epochs} label={`Accuracy per epoch of ${run.name}`} />
          )}
        </div>
      )}
      {run.results !== null && <RunResults run={run} results={run.results} isNetwork={isNetwork} />}
    </section>
  )
}
