import type { GameSession } from '../../api/types'
import { formatTime } from '../../components/status'
import { Table } from '../../components/table'

const list = (values: readonly number[]) => values.map((v) => (Math.round(v * 100) / 100).toString()).join(', ')

/** One session's per-channel analysis (per axis: mean, min, max, standard deviation, range of motion) and its progress. */
export function SessionAnalysis({ session }: { session: GameSession }) {
  const analysis = session.analysis
  return (
    <section aria-labelledby="analysis-title" class="panel">
      <h2 id="analysis-title">
        {session.gameName ?? session.gameId}: {formatTime(session.endedAt)}
      </h2>
      <p>
        Score {session.score}; {session.sampleCount} samples in {session.channels.length} channels; {session.state}
        {session.failure ? `: ${session.failure}` : ''}.
      </p>
      {analysis === null ? (
        <p>{session.state === 'processing' ? 'The analysis is running; it appears here when done.' : 'No analysis.'}</p>
      ) : (
        <>
          <p>
            Mean range of motion {Math.round(analysis.rangeOfMotion * 100) / 100}
            {analysis.progress.progressScore === null
              ? '; the first session of this game.'
              : `; beats ${analysis.progress.progressScore}% of ${analysis.progress.previousSessions} earlier sessions (score ${analysis.progress.scoreChange !== null && analysis.progress.scoreChange >= 0 ? '+' : ''}${analysis.progress.scoreChange ?? 0} against their mean).`}
          </p>
          <Table
            headers={['Channel', 'Samples', 'Duration (s)', 'Mean', 'Min', 'Max', 'Std dev', 'Range of motion']}
            caption="Per channel, per axis"
          >
            {analysis.channels.map((channel) => (
              <tr key={channel.name}>
                <th scope="row">{channel.name}</th>
                <td>{channel.sampleCount}</td>
                <td>{Math.round(channel.durationMs / 100) / 10}</td>
                <td>{list(channel.mean)}</td>
                <td>{list(channel.min)}</td>
                <td>{list(channel.max)}</td>
                <td>{list(channel.standardDeviation)}</td>
                <td>{list(channel.rangeOfMotion)}</td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </section>
  )
}
