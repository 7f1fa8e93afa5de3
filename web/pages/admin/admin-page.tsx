import { useState } from 'preact/hooks'
import { call } from '../../api/session'
import type { Answer, User } from '../../api/types'
import { ErrorNote, formatTime, Loaded } from '../../components/status'
import { useResource } from '../../components/use-resource'

type QueueDepth = Answer<'/v1/admin/queues', 'get'>['queues'][number]

function UsersSection({ me }: { me: User }) {
  const [version, setVersion] = useState(0)
  const users = useResource(async () => (await call((api) => api.GET('/v1/admin/users', { params: { query: { limit: 500, offset: 0 } } }))).users, [version])
  const [error, setError] = useState<unknown>(undefined)

  async function setRole(user: User, role: User['role']) {
    setError(undefined)
    try {
      await call((api) => api.PATCH('/v1/admin/users/{id}', { params: { path: { id: user.id } }, body: { role } }))
      setVersion((v) => v + 1)
    } catch (failure) {
      setError(failure)
    }
  }

  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users and roles</h2>
      <ErrorNote error={error} />
      <Loaded resource={users} what="users">
        {(items) => (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Name</th>
                  <th scope="col">Since</th>
                  <th scope="col">Role</th>
                </tr>
              </thead>
              <tbody>
                {items.map((user) => (
                  <tr key={user.id}>
                    <td>{user.email}</td>
                    <td>{user.displayName ?? '—'}</td>
                    <td>{formatTime(user.createdAt)}</td>
                    <td>
                      <select
                        aria-label={`Role of ${user.email}`}
                        value={user.role}
                        disabled={user.id === me.id}
                        onChange={(event) => void setRole(user, (event.currentTarget as HTMLSelectElement).value as User['role'])}
                      >
                        <option value="user">user</option>
                        <option value="admin">admin</option>
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </section>
  )
}

function DeadJobs({ queue }: { queue: QueueDepth }) {
  const jobs = useResource(async () => (await call((api) => api.GET('/v1/admin/queues/{queue}/dead', { params: { path: { queue: queue.queue } } }))).jobs, [queue.queue, queue.dead])
  return (
    <Loaded resource={jobs} what="dead-lettered jobs">
      {(items) =>
        items.length === 0 ? (
          <p>No dead-lettered jobs in {queue.queue}.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <caption>Dead-lettered jobs of {queue.queue}</caption>
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last error</th>
                  <th scope="col">Payload</th>
                </tr>
              </thead>
              <tbody>
                {items.map((job) => (
                  <tr key={job.id}>
                    <td>
                      <code>{job.id}</code>
                    </td>
                    <td>{job.attempts}</td>
                    <td>{job.lastError ?? '—'}</td>
                    <td>
                      <code>{JSON.stringify(job.payload)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      }
    </Loaded>
  )
}

function QueuesSection() {
  const [version, setVersion] = useState(0)
  const queues = useResource(async () => (await call((api) => api.GET('/v1/admin/queues'))).queues, [version])
  const [shown, setShown] = useState<string | undefined>(undefined)
  const shownQueue = queues.data?.find((q) => q.queue === shown)
  return (
    <section aria-labelledby="queues-title">
      <h2 id="queues-title">Job queues</h2>
      <button type="button" onClick={() => setVersion((v) => v + 1)}>
        Refresh queues
      </button>
      <Loaded resource={queues} what="queues">
        {(items) => (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  <th scope="col">Waiting</th>
                  <th scope="col">Dead-lettered</th>
                  <th scope="col">Dead letters</th>
                </tr>
              </thead>
              <tbody>
                {items.map((queue) => (
                  <tr key={queue.queue}>
                    <td>
                      <code>{queue.queue}</code>
                    </td>
                    <td>{queue.ready}</td>
                    <td>{queue.dead}</td>
                    <td>
                      <button type="button" onClick={() => setShown(queue.queue)} aria-label={`Show dead-lettered jobs of ${queue.queue}`}>
                        Show
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
      {shownQueue && <DeadJobs queue={shownQueue} />}
    </section>
  )
}

export function AdminPage({ user }: { user: User }) {
  return (
    <>
      <h1>Admin</h1>
      <UsersSection me={user} />
      <QueuesSection />
    </>
  )
}
