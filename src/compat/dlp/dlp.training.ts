// One seed training request, for the REST routes and the 2022 Socket.IO events alike: the body
// mapped onto a playground run (queued as a `playground` training job), then, for the routes that
// answer when training ends, the wait and the seed's training envelope.
import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { PlaygroundModule } from '../../domains/playground/playground.module.js'
import type { Run } from '../../domains/playground/playground.schema.js'
import { createRun, resolveNotifyEmail } from '../../domains/playground/playground.service.js'
import { listUploads, uploadCsv } from '../../domains/playground/uploads.js'
import { awaitTrainingJob } from '../../domains/ml/training.service.js'
import { dlpImageRequest, dlpRequest, type DlpBody, type ImageUpload, trainingEnvelope } from './dlp.mapping.js'

/** What a seed body trains: a network on a table, a scikit-learn model, or a network on images. */
export type DlpKind = 'tabular' | 'classical' | 'image'

/** How long the routes and events that answer when training ends wait for it (the seed trained in the request). */
export const TRAIN_WAIT_MS = 10 * 60_000

async function newestImageUpload(playground: PlaygroundModule, owner: Principal): Promise<ImageUpload | undefined> {
  const found = (await listUploads(playground.uploads, owner)).find((dataset) => dataset.image !== null)
  return found === undefined || found.image === null ? undefined : { id: found.id, image: found.image }
}

/** Maps the body (400 naming what is wrong) and queues the run for the token's user, whatever user the body names. */
export async function queueDlpRun(
  playground: PlaygroundModule,
  owner: Principal,
  body: DlpBody,
  kind: DlpKind,
): Promise<Run> {
  const upload = (rows: Buffer) =>
    uploadCsv(playground.uploads, owner, `dlp ${String(body.execution_id ?? 'upload')}`.slice(0, 200), rows).then(
      (d) => d.id,
    )
  const mapped =
    kind === 'image'
      ? await dlpImageRequest(body, () => newestImageUpload(playground, owner))
      : await dlpRequest(body, kind, upload)
  const notifyEmail = await resolveNotifyEmail(playground.deps, owner, body.email)
  return createRun(playground.deps, owner, mapped.request, { ...mapped.run, notifyEmail })
}

/** Waits for the run's end: the seed's training envelope, or a 400 with the reason it failed. */
export async function dlpEnvelopeWhenDone(
  playground: PlaygroundModule,
  owner: Principal,
  runId: string,
  body: DlpBody,
): Promise<Record<string, unknown>> {
  const job = await awaitTrainingJob(playground.deps.training, owner.userId, runId, TRAIN_WAIT_MS)
  if (job.state !== 'succeeded') throw new AppError('invalid_argument', job.error ?? `Training ${job.state}`)
  return trainingEnvelope(playground.deps, owner.userId, runId, body)
}
