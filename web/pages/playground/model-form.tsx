import { useEffect, useState } from 'preact/hooks'
import { call } from '../../api/session'
import type { CreateRunBody, ModelSpec, PlaygroundRun } from '../../api/types'
import { ErrorNote } from '../../components/status'
import type { DatasetChoice } from './dataset-panel'
import { defaultLayers, type Layer, LayersEditor } from './layers-editor'

type Network = Extract<ModelSpec, { kind: 'network' }>
type Classical = Extract<ModelSpec, { kind: 'classical' }>
type ProblemType = CreateRunBody['problemType']

const LOSSES: readonly { value: Network['loss']; name: string; problem: ProblemType }[] = [
  { value: 'crossEntropy', name: 'Cross-entropy', problem: 'classification' },
  { value: 'weightedCrossEntropy', name: 'Weighted cross-entropy', problem: 'classification' },
  { value: 'bce', name: 'Binary cross-entropy (on probabilities)', problem: 'classification' },
  { value: 'bceWithLogits', name: 'Binary cross-entropy with logits', problem: 'classification' },
  { value: 'mse', name: 'Mean squared error', problem: 'regression' },
  { value: 'l1', name: 'L1 (mean absolute error)', problem: 'regression' },
]
const ALGORITHMS: readonly { value: Classical['algorithm']; name: string; problems: readonly ProblemType[] }[] = [
  { value: 'logisticRegression', name: 'Logistic regression', problems: ['classification'] },
  { value: 'decisionTree', name: 'Decision tree', problems: ['classification', 'regression'] },
  { value: 'randomForest', name: 'Random forest', problems: ['classification', 'regression'] },
  { value: 'knn', name: 'k nearest neighbours', problems: ['classification'] },
  { value: 'naiveBayes', name: 'Gaussian naive Bayes', problems: ['classification'] },
  { value: 'linearRegression', name: 'Linear regression', problems: ['regression'] },
]
/** Each classical option, the algorithms it applies to, and its bounds (the server's schema). */
const OPTIONS: readonly {
  key: keyof NonNullable<Classical['options']>
  name: string
  for: readonly Classical['algorithm'][]
  min: number
  max: number
}[] = [
  { key: 'maxDepth', name: 'Maximum depth', for: ['decisionTree', 'randomForest'], min: 1, max: 64 },
  { key: 'nEstimators', name: 'Trees', for: ['randomForest'], min: 1, max: 500 },
  { key: 'k', name: 'Neighbours (k)', for: ['knn'], min: 1, max: 200 },
  { key: 'maxIterations', name: 'Iterations', for: ['logisticRegression'], min: 1, max: 100_000 },
]

/** A classification target when the dataset says so, or when it holds text or few distinct values. */
function guessProblem(dataset: DatasetChoice, target: string): ProblemType {
  if (dataset.problemType !== undefined) return dataset.problemType
  const column = dataset.columns.find((c) => c.name === target)
  return column?.type === 'string' || (column?.distinct ?? Number.POSITIVE_INFINITY) <= 20
    ? 'classification'
    : 'regression'
}

const outputsFor = (dataset: DatasetChoice, target: string, problem: ProblemType) =>
  problem === 'regression' ? 1 : (dataset.columns.find((c) => c.name === target)?.distinct ?? 2)

const numberOf = (e: Event) => Number((e.target as HTMLInputElement).value)
const valueOf = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement).value

/**
 * The model builder: target and features, a network (layers, loss, optimizer, learning rate, epochs,
 * batch size) or a classical model with its options, the test share, and the e-mail wish. Train sends
 * `POST /v1/playground/runs`; the server checks the model against the data and names what does not fit.
 */
export function ModelForm({ dataset, onQueued }: { dataset: DatasetChoice; onQueued: (run: PlaygroundRun) => void }) {
  const initialTarget = dataset.columns.some((c) => c.name === 'target')
    ? 'target'
    : (dataset.columns.at(-1)?.name ?? 'target')
  const [target, setTarget] = useState(initialTarget)
  const [problem, setProblem] = useState<ProblemType>(guessProblem(dataset, initialTarget))
  const [features, setFeatures] = useState<string[]>([])
  const [kind, setKind] = useState<'network' | 'classical'>('network')
  const [layers, setLayers] = useState<Layer[]>([])
  const [network, setNetwork] = useState({
    loss: 'crossEntropy' as Network['loss'],
    optimizer: 'sgd' as NonNullable<Network['optimizer']>,
    learningRate: 0.05,
    epochs: 5,
    batchSize: 20,
  })
  const [algorithm, setAlgorithm] = useState<Classical['algorithm']>('logisticRegression')
  const [options, setOptions] = useState<Record<string, number>>({})
  const [testSize, setTestSize] = useState(0.2)
  const [notify, setNotify] = useState(false)
  const [name, setName] = useState('')
  const [error, setError] = useState<unknown>(undefined)
  const [isSending, setSending] = useState(false)

  function chooseTarget(next: string, nextProblem = guessProblem(dataset, next)) {
    setTarget(next)
    setProblem(nextProblem)
    setFeatures(dataset.columns.filter((c) => c.name !== next && c.type === 'number').map((c) => c.name))
    setLayers(defaultLayers(outputsFor(dataset, next, nextProblem)))
    setNetwork((n) => ({ ...n, loss: nextProblem === 'regression' ? 'mse' : 'crossEntropy' }))
    setAlgorithm(nextProblem === 'regression' ? 'linearRegression' : 'logisticRegression')
  }
  useEffect(() => chooseTarget(initialTarget), [dataset])

  function body(): CreateRunBody {
    const model: ModelSpec =
      kind === 'network'
        ? { kind, layers, ...network }
        : {
            kind,
            algorithm,
            options: Object.fromEntries(
              OPTIONS.filter((o) => o.for.includes(algorithm) && options[o.key] !== undefined).map((o) => [
                o.key,
                options[o.key],
              ]),
            ),
          }
    return {
      name: name.trim() || `${dataset.name} ${kind === 'network' ? 'network' : algorithm}`,
      dataset: dataset.ref,
      target,
      features,
      problemType: problem,
      model,
      split: { testSize },
      notifyByEmail: notify,
    }
  }

  async function train(event: Event) {
    event.preventDefault()
    setSending(true)
    setError(undefined)
    try {
      onQueued(await call((api) => api.POST('/v1/playground/runs', { body: body() })))
    } catch (failure) {
      setError(failure)
    } finally {
      setSending(false)
    }
  }

  const numberColumns = dataset.columns.filter((c) => c.name !== target && c.type === 'number')
  return (
    <section aria-labelledby="model-title">
      <h2 id="model-title">2. Model</h2>
      <form class="builder" onSubmit={(e) => void train(e)} aria-label="Model builder">
        <div class="row">
          <label>
            Target column
            <select value={target} onChange={(e) => chooseTarget(valueOf(e))}>
              {dataset.columns.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Problem
            <select value={problem} onChange={(e) => chooseTarget(target, valueOf(e) as ProblemType)}>
              <option value="classification">classification</option>
              <option value="regression">regression</option>
            </select>
          </label>
          <label>
            Test share
            <input
              type="number"
              min={0.05}
              max={0.5}
              step={0.05}
              required
              value={testSize}
              onInput={(e) => setTestSize(numberOf(e))}
            />
          </label>
        </div>
        <details>
          <summary>
            Features: {features.length} of {numberColumns.length} number columns
          </summary>
          <div class="checks">
            {numberColumns.map((c) => (
              <label key={c.name} class="check">
                <input
                  type="checkbox"
                  checked={features.includes(c.name)}
                  onChange={(e) =>
                    setFeatures((all) =>
                      (e.target as HTMLInputElement).checked ? [...all, c.name] : all.filter((f) => f !== c.name),
                    )
                  }
                />
                {c.name}
              </label>
            ))}
          </div>
        </details>
        <label>
          Model kind
          <select value={kind} onChange={(e) => setKind(valueOf(e) as 'network' | 'classical')}>
            <option value="network">Neural network</option>
            <option value="classical">Classical model</option>
          </select>
        </label>
        {kind === 'network' ? (
          <>
            <LayersEditor layers={layers} onChange={setLayers} />
            <div class="row">
              <label>
                Loss
                <select
                  value={network.loss}
                  onChange={(e) => setNetwork({ ...network, loss: valueOf(e) as Network['loss'] })}
                >
                  {LOSSES.filter((l) => l.problem === problem).map((l) => (
                    <option key={l.value} value={l.value}>
                      {l.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Optimizer
                <select
                  value={network.optimizer}
                  onChange={(e) => setNetwork({ ...network, optimizer: valueOf(e) as 'sgd' | 'adam' })}
                >
                  <option value="sgd">SGD</option>
                  <option value="adam">Adam</option>
                </select>
              </label>
              <label>
                Learning rate
                <input
                  type="number"
                  min={0.00001}
                  max={10}
                  step="any"
                  required
                  value={network.learningRate}
                  onInput={(e) => setNetwork({ ...network, learningRate: numberOf(e) })}
                />
              </label>
              <label>
                Epochs
                <input
                  type="number"
                  min={1}
                  max={1000}
                  step={1}
                  required
                  value={network.epochs}
                  onInput={(e) => setNetwork({ ...network, epochs: numberOf(e) })}
                />
              </label>
              <label>
                Batch size
                <input
                  type="number"
                  min={2}
                  max={8192}
                  step={1}
                  required
                  value={network.batchSize}
                  onInput={(e) => setNetwork({ ...network, batchSize: numberOf(e) })}
                />
              </label>
            </div>
          </>
        ) : (
          <div class="row">
            <label>
              Algorithm
              <select value={algorithm} onChange={(e) => setAlgorithm(valueOf(e) as Classical['algorithm'])}>
                {ALGORITHMS.filter((a) => a.problems.includes(problem)).map((a) => (
                  <option key={a.value} value={a.value}>
                    {a.name}
                  </option>
                ))}
              </select>
            </label>
            {OPTIONS.filter((o) => o.for.includes(algorithm)).map((o) => (
              <label key={o.key}>
                {o.name} (optional)
                <input
                  type="number"
                  min={o.min}
                  max={o.max}
                  step={1}
                  value={options[o.key] ?? ''}
                  onInput={(e) =>
                    setOptions(({ [o.key]: _old, ...rest }) =>
                      valueOf(e) === '' ? rest : { ...rest, [o.key]: numberOf(e) },
                    )
                  }
                />
              </label>
            ))}
          </div>
        )}
        <div class="row">
          <label>
            Run name (optional)
            <input value={name} maxLength={200} onInput={(e) => setName(valueOf(e))} />
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={notify}
              onChange={(e) => setNotify((e.target as HTMLInputElement).checked)}
            />
            E-mail me the results when the run ends
          </label>
        </div>
        <div>
          <button type="submit" disabled={isSending}>
            Train
          </button>
        </div>
        <ErrorNote error={error} />
      </form>
    </section>
  )
}
