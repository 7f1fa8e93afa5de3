import { useState } from 'preact/hooks'
import { formatTime, Loaded } from '../../components/status'
import { Table } from '../../components/table'
import { type DatasetChoice, DatasetPanel } from './dataset-panel'
import { LearningProgress } from './learning-progress'
import { ModelForm } from './model-form'
import { RunDetails } from './run-details'
import { usePlaygroundRuns } from './use-runs'

const accuracyOf = (run: { results: { accuracy: number | null; r2: number | null } | null }) => {
  if (run.results === null) return '—'
  if (run.results.accuracy !== null) return `${(run.results.accuracy * 100).toFixed(1)} %`
  return run.results.r2 === null ? '—' : `R² ${run.results.r2.toFixed(3)}`
}

/**
 * The model playground: pick or upload a dataset, build a model, train it with live progress,
 * read its results (confusion matrix, ROC curves, R²/MAE), download the model; learning points.
 */
export function PlaygroundPage() {
  const [dataset, setDataset] = useState<DatasetChoice | undefined>(undefined)
  const runs = usePlaygroundRuns()
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined)
  const selected = runs.data?.find((r) => r.id === selectedId) ?? runs.data?.[0]
  return (
    <>
      <h1>Model playground</h1>
      <DatasetPanel onChoose={setDataset} />
      {dataset && (
        <ModelForm
          dataset={dataset}
          onQueued={(run) => {
            runs.add(run)
            setSelectedId(run.id)
          }}
        />
      )}
      <section aria-labelledby="runs-title">
        <h2 id="runs-title">3. Runs</h2>
        <Loaded resource={runs} what="your runs">
          {(items) =>
            items.length === 0 ? (
              <p>No runs yet. Pick a dataset, build a model and press Train.</p>
            ) : (
              <Table headers={['Name', 'Created', 'State', 'Progress', 'Held-out score', '']}>
                {items.map((run) => (
                  <tr key={run.id} aria-current={run === selected ? 'true' : undefined}>
                    <td>{run.name}</td>
                    <td>{formatTime(run.job.createdAt)}</td>
                    <td>{run.job.state}</td>
                    <td>{Math.round(run.percent)} %</td>
                    <td>{accuracyOf(run)}</td>
                    <td>
                      <button type="button" onClick={() => setSelectedId(run.id)} aria-label={`Show ${run.name}`}>
                        Show
                      </button>
                    </td>
                  </tr>
                ))}
              </Table>
            )
          }
        </Loaded>
        {selected && <RunDetails run={selected} onChanged={runs.replace} />}
      </section>
      <LearningProgress />
    </>
  )
}
