import { useState } from 'preact/hooks'
import { useLive } from '../../api/live'
import { call } from '../../api/session'
import { applyEvent, type TrainingEvent } from '../../api/training'
import type { PlaygroundRun } from '../../api/types'
import { useResource } from '../../components/use-resource'

const isFinal = (state: string) => state === 'succeeded' || state === 'failed' || state === 'cancelled'

const fetchRun = (id: string) => call((api) => api.GET('/v1/playground/runs/{id}', { params: { path: { id } } }))

/**
 * Your playground runs, newest first, kept current by the `training` events of kind `playground`:
 * each epoch is appended with its percent as it arrives, and a run that ends is read again for its
 * results. An event of a run this page has not seen makes it read the list again.
 */
export function usePlaygroundRuns() {
  const [version, setVersion] = useState(0)
  const runs = useResource(
    async () => (await call((api) => api.GET('/v1/playground/runs', { params: { query: { limit: 20 } } }))).runs,
    [version],
  )
  const [live, setLive] = useState<PlaygroundRun[] | undefined>(undefined)
  const list = live ?? runs.data
  const replace = (run: PlaygroundRun) =>
    setLive((current) => (current ?? runs.data ?? []).map((r) => (r.id === run.id ? run : r)))
  const reload = () => {
    setLive(undefined)
    setVersion((v) => v + 1)
  }
  useLive<TrainingEvent>('training', (event) => {
    if (event.kind !== 'playground') return
    if (list === undefined || !list.some((run) => run.id === event.jobId)) return reload()
    setLive((current) =>
      (current ?? list).map((run) =>
        run.id === event.jobId
          ? { ...run, job: applyEvent(run.job, event), percent: event.percent ?? run.percent }
          : run,
      ),
    )
    if (isFinal(event.state)) void fetchRun(event.jobId).then(replace, () => reload())
  })
  /** A run this page just queued: shown at once, so that its first events find it. */
  const add = (run: PlaygroundRun) => setLive([run, ...(list ?? []).filter((r) => r.id !== run.id)])
  return { ...runs, data: list, add, reload, replace }
}
