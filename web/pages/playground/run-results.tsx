import { useState } from 'preact/hooks'
import { call } from '../../api/session'
import type { PlaygroundRun, RunResults as Results } from '../../api/types'
import { ConfusionMatrix } from '../../components/confusion-matrix'
import { saveFile } from '../../components/save-file'
import { ErrorNote } from '../../components/status'
import { RocChart } from './roc-chart'

const percent = (share: number) => `${(share * 100).toFixed(1)} %`

/** The downloads of a finished run: its model (TensorFlow.js files, or a classical model's JSON) and its per-epoch results. */
function Downloads({ run, isNetwork }: { run: PlaygroundRun; isNetwork: boolean }) {
  const [error, setError] = useState<unknown>(undefined)
  const modelId = run.modelId
  async function download(fetchFile: () => Promise<unknown>, fileName: string) {
    setError(undefined)
    try {
      saveFile((await fetchFile()) as Blob, fileName)
    } catch (failure) {
      setError(failure)
    }
  }
  const id = { params: { path: { id: run.id } } }
  return (
    <div>
      {modelId !== null && isNetwork && (
        <>
          <button
            type="button"
            onClick={() =>
              void download(
                () =>
                  call((api) =>
                    api.GET('/v1/playground/models/{id}/model.json', {
                      params: { path: { id: modelId } },
                      parseAs: 'blob',
                    }),
                  ),
                'model.json',
              )
            }
          >
            Download model.json
          </button>
          <button
            type="button"
            onClick={() =>
              void download(
                () =>
                  call((api) =>
                    api.GET('/v1/playground/models/{id}/weights.bin', {
                      params: { path: { id: modelId } },
                      parseAs: 'blob',
                    }),
                  ),
                'weights.bin',
              )
            }
          >
            Download weights.bin
          </button>
        </>
      )}
      {modelId !== null && !isNetwork && (
        <button
          type="button"
          onClick={() =>
            void download(
              () =>
                call((api) =>
                  api.GET('/v1/playground/models/{id}/classical.json', {
                    params: { path: { id: modelId } },
                    parseAs: 'blob',
                  }),
                ),
              'classical.json',
            )
          }
        >
          Download the model (JSON)
        </button>
      )}
      <button
        type="button"
        onClick={() =>
          void download(
            () => call((api) => api.GET('/v1/playground/runs/{id}/results.csv', { ...id, parseAs: 'blob' })),
            'dl_results.csv',
          )
        }
      >
        Download results CSV
      </button>
      <ErrorNote error={error} />
    </div>
  )
}

/** A finished run's held-out results: accuracy, confusion matrix and ROC curves, or R², MAE and MSE; the time to train; downloads. */
export function RunResults({ run, results, isNetwork }: { run: PlaygroundRun; results: Results; isNetwork: boolean }) {
  const isClassifier = results.problemType === 'classification'
  return (
    <section aria-labelledby="results-title">
      <h3 id="results-title">Results on {results.testExamples} held-out rows</h3>
      <dl class="facts" aria-label="Held-out metrics">
        {isClassifier && results.accuracy !== null && (
          <>
            <dt>Accuracy</dt>
            <dd>
              <output aria-label="Held-out accuracy">{percent(results.accuracy)}</output>
            </dd>
          </>
        )}
        {results.r2 !== null && (
          <>
            <dt>R²</dt>
            <dd>
              <output aria-label="R squared">{results.r2.toFixed(3)}</output>
            </dd>
          </>
        )}
        {results.mae !== null && (
          <>
            <dt>Mean absolute error</dt>
            <dd>{results.mae.toFixed(3)}</dd>
          </>
        )}
        {results.mse !== null && (
          <>
            <dt>Mean squared error</dt>
            <dd>{results.mse.toFixed(3)}</dd>
          </>
        )}
        <dt>Rows</dt>
        <dd>
          {results.trainingExamples} for training, {results.testExamples} held out
        </dd>
        <dt>Time to train</dt>
        <dd>{results.trainSeconds.toFixed(2)} s</dd>
      </dl>
      {results.confusionMatrix !== null && results.labels !== null && (
        <ConfusionMatrix
          labels={results.labels}
          matrix={results.confusionMatrix}
          caption={`Confusion matrix of ${run.name}: rows actual, columns predicted`}
        />
      )}
      {results.roc !== null && results.roc.length > 0 && <RocChart curves={results.roc} />}
      <Downloads run={run} isNetwork={isNetwork} />
    </section>
  )
}
