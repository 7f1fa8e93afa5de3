import type { Model } from '../../api/types'
import { formatTime } from '../../components/status'
import { Table } from '../../components/table'

const round = (value: number | undefined) => (value === undefined ? '—' : (Math.round(value * 100) / 100).toString())
/** Metrics are per model kind; a sensor classifier's also hold a confusion matrix and per-label lists, which this table leaves out. */
const numberOf = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined)

/**
 * Model versions with their held-out error next to the baseline's on the same examples: for the
 * meditation recommender `heldOutMae` against `persistenceMae` ("same as the previous period").
 */
export function ModelsTable({ models }: { models: readonly Model[] }) {
  if (models.length === 0) return <p>No trained models yet.</p>
  return (
    <Table
      headers={['Kind', 'Version', 'Trained', 'Examples', 'Held-out MAE (bpm)', 'Baseline MAE (bpm)', 'Other metrics']}
    >
      {models.map((model) => {
        const { heldOutMae: mae, persistenceMae: baseline, ...rest } = model.metrics
        const [heldOutMae, persistenceMae] = [numberOf(mae), numberOf(baseline)]
        const others = Object.entries(rest).flatMap(([name, value]) =>
          typeof value === 'number' ? [[name, value] as const] : [],
        )
        const isBetter = heldOutMae !== undefined && persistenceMae !== undefined && heldOutMae < persistenceMae
        return (
          <tr key={model.id}>
            <td>{model.kind}</td>
            <td>{model.version}</td>
            <td>{formatTime(model.createdAt)}</td>
            <td>{model.examples}</td>
            <td>
              {round(heldOutMae)}
              {heldOutMae !== undefined && persistenceMae !== undefined && (
                <span class="hint">{isBetter ? ' (beats the baseline)' : ' (does not beat the baseline)'}</span>
              )}
            </td>
            <td>{round(persistenceMae)}</td>
            <td>{others.map(([name, value]) => `${name} ${round(value)}`).join(', ') || '—'}</td>
          </tr>
        )
      })}
    </Table>
  )
}
