import type { Model } from '../../api/types'
import { Table } from '../../components/table'
import { ConfusionMatrix } from '../../components/confusion-matrix'

/** The metrics a sensor classifier's model carries (docs/sensors.md, "Held-out evaluation"). */
interface ClassifierMetrics {
  readonly accuracy: number
  readonly majorityBaseline: number
  readonly labels: string[]
  readonly confusionMatrix: number[][]
  readonly perLabel: { label: string; precision: number; recall: number; support: number }[]
  readonly heads?: Record<string, number>
  readonly heldOutExamples?: number
}

function isClassifierMetrics(metrics: Record<string, unknown>): metrics is Record<string, unknown> & ClassifierMetrics {
  return typeof metrics.accuracy === 'number' && Array.isArray(metrics.confusionMatrix) && Array.isArray(metrics.labels)
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`

/** A sensor classifier's held-out accuracy next to the majority baseline, its confusion matrix and per-label precision and recall. */
export function SensorModelDetails({ model }: { model: Model }) {
  const metrics = model.metrics
  if (!isClassifierMetrics(metrics)) return <p>This model has no classifier metrics.</p>
  return (
    <>
      <p role="status" aria-label="Held-out accuracy">
        Held-out accuracy {percent(metrics.accuracy)} against a majority baseline of {percent(metrics.majorityBaseline)}
        {metrics.heldOutExamples === undefined ? '' : ` on ${metrics.heldOutExamples} frames`}
        {metrics.accuracy > metrics.majorityBaseline ? ' (beats the baseline)' : ' (does not beat the baseline)'}.
      </p>
      <ConfusionMatrix
        labels={metrics.labels}
        matrix={metrics.confusionMatrix}
        caption={`Confusion matrix of model version ${model.version}: rows actual, columns predicted`}
      />
      <Table headers={['Label', 'Precision', 'Recall', 'Support']} caption="Per label, on the held-out frames">
        {metrics.perLabel.map((row) => (
          <tr key={row.label}>
            <td>{row.label}</td>
            <td>{percent(row.precision)}</td>
            <td>{percent(row.recall)}</td>
            <td>{row.support}</td>
          </tr>
        ))}
      </Table>
    </>
  )
}
