import { call } from '../../api/session'
import { Loaded } from '../../components/status'
import { Table } from '../../components/table'
import { useResource } from '../../components/use-resource'

/** Your learning points (GET /v1/playground/progress): 10 per answered question, totalled per section and module. */
export function LearningProgress() {
  const progress = useResource(() => call((api) => api.GET('/v1/playground/progress')), [])
  return (
    <section aria-labelledby="progress-title">
      <h2 id="progress-title">Learning points</h2>
      <Loaded resource={progress} what="your learning points">
        {(p) => {
          const rows = Object.entries(p.modules).flatMap(([moduleId, m]) =>
            Object.entries(m.sections).map(([sectionId, s]) => ({
              moduleId,
              sectionId,
              points: s.points,
              questions: Object.keys(s.questions).length,
              modulePoints: m.points,
            })),
          )
          return (
            <>
              <p role="status" aria-label="Total learning points">
                {p.totalPoints} points in all
              </p>
              {rows.length === 0 ? (
                <p class="hint">
                  No answered questions yet: the learning modules of your app record them (POST
                  /v1/playground/progress).
                </p>
              ) : (
                <Table headers={['Module', 'Module points', 'Section', 'Questions answered', 'Section points']}>
                  {rows.map((r) => (
                    <tr key={`${r.moduleId}/${r.sectionId}`}>
                      <td>{r.moduleId}</td>
                      <td>{r.modulePoints}</td>
                      <td>{r.sectionId}</td>
                      <td>{r.questions}</td>
                      <td>{r.points}</td>
                    </tr>
                  ))}
                </Table>
              )}
            </>
          )
        }}
      </Loaded>
    </section>
  )
}
