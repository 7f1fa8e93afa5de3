import { useMemo, useState } from 'preact/hooks'
import { useLive } from '../../api/live'
import { call } from '../../api/session'
import type { GameSession } from '../../api/types'
import { formatTime, Loaded } from '../../components/status'
import { useResource } from '../../components/use-resource'
import { ProgressChart } from './progress-chart'
import { SessionAnalysis } from './session-analysis'
import { Table } from '../../components/table'

interface SessionEvent {
  readonly cursor: string
  readonly session: GameSession
}

export function GameSessionsPage() {
  const [version, setVersion] = useState(0)
  const sessions = useResource(
    async () => (await call((api) => api.GET('/v1/game-sessions', { params: { query: { limit: 50 } } }))).sessions,
    [version],
  )
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined)
  const [game, setGame] = useState<string | undefined>(undefined)
  const [announcement, setAnnouncement] = useState('')

  const onEvent = (verb: string) => (event: SessionEvent) => {
    setAnnouncement(`Session of ${event.session.gameName ?? event.session.gameId} ${verb}.`)
    setVersion((v) => v + 1)
  }
  useLive<SessionEvent>('session-processed', onEvent('processed'))
  useLive<SessionEvent>('session-failed', onEvent('failed'))

  const games = useMemo(() => [...new Set((sessions.data ?? []).map((s) => s.gameId))].sort(), [sessions.data])
  const shownGame = game ?? games[0]
  const selected = sessions.data?.find((s) => s.id === selectedId)

  return (
    <>
      <h1>Game sessions</h1>
      <p role="status" class="announcement">
        {announcement}
      </p>
      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        <Loaded resource={sessions} what="game sessions">
          {(items) =>
            items.length === 0 ? (
              <p>No game sessions yet. Apps upload them to POST /v1/game-sessions.</p>
            ) : (
              <Table headers={['Game', 'Ended', 'Score', 'Samples', 'State', 'Analysis']}>
                {items.map((s) => (
                  <tr key={s.id} aria-current={s.id === selectedId ? 'true' : undefined}>
                    <td>{s.gameName ?? s.gameId}</td>
                    <td>{formatTime(s.endedAt)}</td>
                    <td>{s.score}</td>
                    <td>{s.sampleCount}</td>
                    <td>{s.state}</td>
                    <td>
                      <button
                        type="button"
                        onClick={() => setSelectedId(s.id)}
                        aria-label={`Show analysis of ${s.gameName ?? s.gameId} ended ${formatTime(s.endedAt)}`}
                      >
                        Show
                      </button>
                    </td>
                  </tr>
                ))}
              </Table>
            )
          }
        </Loaded>
      </section>
      {selected && <SessionAnalysis session={selected} />}
      {shownGame !== undefined && (
        <section aria-labelledby="progress-title">
          <h2 id="progress-title">Progress</h2>
          <label>
            Game
            <select value={shownGame} onChange={(event) => setGame((event.currentTarget as HTMLSelectElement).value)}>
              {games.map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </label>
          <ProgressChart gameId={shownGame} version={version} />
        </section>
      )}
    </>
  )
}
