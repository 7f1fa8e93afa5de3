import type { Model } from '../../api/types'
import { formatTime } from '../../components/status'

const round = (value: number | undefined) => (value === undefined ? '—' : (Math.round(value * 100) / 100).toString())

/**
 * Model versions with their held-out error next to the baseline's on the same examples: for the
 * meditation recommender `heldOutMae` against `persistenceMae` ("same as the previous period").
 */
export function ModelsTable({ models }: { models: readonly Model[] }) {
  if (models.length === 0) return <p>No trained models yet.</p>
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Version</th>
            <th scope="col">Trained</th>
            <th scope="col">Examples</th>
            <th scope="col">Held-out MAE (bpm)</th>
            <th scope="col">Baseline MAE (bpm)</th>
            <th scope="col">Other metrics</th>
          </tr>
        </thead>
        <tbody>
          {models.map((model) => {
            const { heldOutMae, persistenceMae, ...others } = model.metrics
            const isBetter = heldOutMae !== undefined && persistenceMae !== undefined && heldOutMae < persistenceMae
            return (
              <tr key={model.id}>
                <td>{model.kind}</td>
                <td>{model.version}</td>
                <td>{formatTime(model.createdAt)}</td>
                <td>{model.examples}</td>
                <td>
                  {round(heldOutMae)}
                  {heldOutMae !== undefined && persistenceMae !== undefined && <span class="hint">{isBetter ? ' (beats the baseline)' : ' (does not beat the baseline)'}</span>}
                </td>
                <td>{round(persistenceMae)}</td>
                <td>
                  {Object.entries(others)
                    .map(([name, value]) => `${name} ${round(value)}`)
                    .join(', ') || '—'}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
