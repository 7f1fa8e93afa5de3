import { useState } from 'preact/hooks'
import { useResource } from '../components/use-resource'
import { useLive } from './live'
import { call } from './session'
import type { TrainingEpoch, TrainingJob } from './types'

/** The `training` live event: every state change and every finished epoch of the user's jobs. */
export interface TrainingEvent {
  readonly jobId: string
  readonly kind: string
  readonly state: TrainingJob['state']
  readonly epoch?: TrainingEpoch
  readonly modelId?: string
  readonly error?: string
  /** With an epoch, when the job's epoch count is known: epochs done / planned x 100. */
  readonly percent?: number
}

/** The job as the event leaves it: its new state, and the epoch appended unless it is there already. */
export function applyEvent(job: TrainingJob, event: TrainingEvent): TrainingJob {
  const epochs =
    event.epoch && !job.epochs.some((e) => e.epoch === event.epoch?.epoch) ? [...job.epochs, event.epoch] : job.epochs
  return { ...job, state: event.state, epochs, modelId: event.modelId ?? job.modelId, error: event.error ?? job.error }
}

/**
 * The user's training jobs, newest first, kept current by `training` events: epochs are appended as
 * they arrive, and a job this page has not seen yet makes it read the list again.
 */
export function useTrainingJobs(onFinished?: (event: TrainingEvent) => void) {
  const [version, setVersion] = useState(0)
  const jobs = useResource(
    async () => (await call((api) => api.GET('/v1/training-jobs', { params: { query: { limit: 20 } } }))).trainingJobs,
    [version],
  )
  const [live, setLive] = useState<TrainingJob[] | undefined>(undefined)
  const list = live ?? jobs.data
  useLive<TrainingEvent>('training', (event) => {
    if (list === undefined || !list.some((job) => job.id === event.jobId)) {
      setLive(undefined)
      setVersion((v) => v + 1)
    } else {
      setLive(list.map((job) => (job.id === event.jobId ? applyEvent(job, event) : job)))
    }
    if (event.state === 'succeeded' || event.state === 'failed' || event.state === 'cancelled') onFinished?.(event)
  })
  const reload = () => {
    setLive(undefined)
    setVersion((v) => v + 1)
  }
  /** A job this page just queued: shown at once, so its first events find it. */
  const add = (job: TrainingJob) => setLive([job, ...(list ?? []).filter((j) => j.id !== job.id)])
  return { ...jobs, data: list, reload, add }
}
