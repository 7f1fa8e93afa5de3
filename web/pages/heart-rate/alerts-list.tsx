import { useState } from 'preact/hooks'
import { call } from '../../api/session'
import type { Alert } from '../../api/types'
import { ErrorNote, formatTime, Loaded } from '../../components/status'
import { useResource } from '../../components/use-resource'
import { Table } from '../../components/table'

/** Alert episodes, newest first, with a button to acknowledge each one. `version` reloads the list. */
export function AlertsList({ version, onChanged }: { version: number; onChanged: () => void }) {
  const alerts = useResource(
    async () =>
      (await call((api) => api.GET('/v1/heart-rate/alerts', { params: { query: { state: 'all', limit: 20 } } })))
        .alerts,
    [version],
  )
  const [error, setError] = useState<unknown>(undefined)

  async function acknowledge(alert: Alert) {
    setError(undefined)
    try {
      await call((api) => api.POST('/v1/heart-rate/alerts/{id}/acknowledge', { params: { path: { id: alert.id } } }))
      onChanged()
    } catch (failure) {
      setError(failure)
    }
  }

  return (
    <section aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alert episodes</h2>
      <ErrorNote error={error} />
      <Loaded resource={alerts} what="alerts">
        {(items) =>
          items.length === 0 ? (
            <p>No alert episodes.</p>
          ) : (
            <Table headers={['Kind', 'Opened', 'Closed', 'Peak', 'Samples', 'Acknowledged']}>
              {items.map((alert) => (
                <tr key={alert.id} class={alert.closedAt === null ? 'open' : undefined}>
                  <td>{alert.kind}</td>
                  <td>{formatTime(alert.openedAt)}</td>
                  <td>{alert.closedAt === null ? 'open' : formatTime(alert.closedAt)}</td>
                  <td>{alert.peakBpm} bpm</td>
                  <td>{alert.sampleCount}</td>
                  <td>
                    {alert.acknowledgedAt !== null ? (
                      formatTime(alert.acknowledgedAt)
                    ) : (
                      <button
                        type="button"
                        onClick={() => void acknowledge(alert)}
                        aria-label={`Acknowledge ${alert.kind} alert opened ${formatTime(alert.openedAt)}`}
                      >
                        Acknowledge
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
    </section>
  )
}
