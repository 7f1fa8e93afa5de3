import { useState } from 'preact/hooks'
import { call } from '../../api/session'
import type { Answer, User } from '../../api/types'
import { ErrorNote, formatTime, Loaded } from '../../components/status'
import { useResource } from '../../components/use-resource'
import { Table } from '../../components/table'

type QueueDepth = Answer<'/v1/admin/queues', 'get'>['queues'][number]

function UsersSection({ me }: { me: User }) {
  const [version, setVersion] = useState(0)
  const users = useResource(
    async () =>
      (await call((api) => api.GET('/v1/admin/users', { params: { query: { limit: 500, offset: 0 } } }))).users,
    [version],
  )
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
          <Table headers={['Email', 'Name', 'Since', 'Role']}>
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
                    onChange={(event) =>
                      void setRole(user, (event.currentTarget as HTMLSelectElement).value as User['role'])
                    }
                  >
                    <option value="user">user</option>
                    <option value="admin">admin</option>
                  </select>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Loaded>
    </section>
  )
}

function DeadJobs({ queue }: { queue: QueueDepth }) {
  const jobs = useResource(
    async () =>
      (await call((api) => api.GET('/v1/admin/queues/{queue}/dead', { params: { path: { queue: queue.queue } } })))
        .jobs,
    [queue.queue, queue.dead],
  )
  return (
    <Loaded resource={jobs} what="dead-lettered jobs">
      {(items) =>
        items.length === 0 ? (
          <p>No dead-lettered jobs in {queue.queue}.</p>
        ) : (
          <Table
            headers={['Job', 'Attempts', 'Last error', 'Payload']}
            caption={<>Dead-lettered jobs of {queue.queue}</>}
          >
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
          </Table>
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
          <Table headers={['Queue', 'Waiting', 'Dead-lettered', 'Dead letters']}>
            {items.map((queue) => (
              <tr key={queue.queue}>
                <td>
                  <code>{queue.queue}</code>
                </td>
                <td>{queue.ready}</td>
                <td>{queue.dead}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => setShown(queue.queue)}
                    aria-label={`Show dead-lettered jobs of ${queue.queue}`}
                  >
                    Show
                  </button>
                </td>
              </tr>
            ))}
          </Table>
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
