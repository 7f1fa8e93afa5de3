// The Deep Learning Playground's 2022 Socket.IO events (CONTRACTS §5B) on the default namespace `/`,
// whose handshake already took a pulsebase token (`auth.token`, as on `/v1`; anonymous sockets are
// refused there). Every reply goes to the asking socket only; the seed's trailing `socketId`
// argument is ignored. Training progress comes from the user's live `training` events (pub/sub, so
// a worker in another process reports too), as the bare percent the seed's client expects.
import type { Socket } from 'socket.io'
import { AppError } from '../../errors.js'
import type { Authenticate, Principal } from '../../platform/auth/principal.js'
import type { Logger } from '../../platform/logging/logger.js'
import { toLiveEvent, userChannel } from '../../platform/pubsub/live-events.js'
import type { PubSubPort } from '../../platform/pubsub/pubsub.port.js'
import type { SocketServer } from '../../platform/socket/socket-server.js'
import { assertMatches } from '../../platform/validation/schema-check.js'
import type { TrainingEvent } from '../../domains/ml/ml.schema.js'
import type { PlaygroundModule } from '../../domains/playground/playground.module.js'
import { sendUserMail } from '../../domains/playground/playground-mail.js'
import { getBuiltinDataset } from '../../domains/playground/playground.service.js'
import {
  DlpDefaultDatasetPayload,
  DlpEmailPayload,
  DlpFrontendLog,
  DlpTrainingPayload,
  DlpUserSettingsPayload,
} from './dlp-socket.schema.js'
import type { DlpBody } from './dlp.mapping.js'
import { dlpEnvelopeWhenDone, type DlpKind, queueDlpRun } from './dlp.training.js'

export interface DlpSocketDeps {
  readonly playground: PlaygroundModule
  readonly pubsub: PubSubPort
  readonly authenticate: Authenticate
  readonly logger: Logger
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled'])
/** How long a finished run waits for its last live events (pub/sub may lag the database) before the result goes out. */
const LAST_EVENTS_GRACE_MS = 2000

/** A sentence the person can act on; an unknown error is logged and never shown. */
function toMessage(error: unknown, logger: Logger): string {
  if (error instanceof AppError) return error.message
  logger.error({ err: error }, 'dlp socket event failed')
  return 'Something went wrong on the server; try again later'
}

/**
 * Trains the payload and answers as the seed did: `trainingProgress` (percent) per epoch, then
 * `trainingResult` with the envelope and `status: 200`, or `{success: false, message, status: 400}`.
 */
async function runTraining(
  deps: DlpSocketDeps,
  socket: Socket,
  owner: Principal,
  payload: unknown,
  kind: DlpKind,
): Promise<void> {
  let jobId: string | undefined
  const early: TrainingEvent[] = []
  let isOver = false
  let ended: () => void = () => {}
  const lastEvent = new Promise<void>((resolve) => (ended = resolve))
  const onEvent = (event: TrainingEvent) => {
    if (event.jobId !== jobId || isOver) return
    if (event.epoch !== undefined && event.percent !== undefined) socket.emit('trainingProgress', event.percent)
    if (TERMINAL.has(event.state)) ended()
  }
  let unsubscribe: (() => Promise<void>) | undefined
  try {
    assertMatches(DlpTrainingPayload, payload, 'payload')
    // Subscribed before the run is queued, so no epoch is missed however fast the worker is.
    unsubscribe = await deps.pubsub.subscribe(userChannel(owner.userId), (message) => {
      const live = toLiveEvent(message)
      if (live?.event !== 'training') return
      if (jobId === undefined) early.push(live.data as TrainingEvent)
      else onEvent(live.data as TrainingEvent)
    })
    const run = await queueDlpRun(deps.playground, owner, payload as DlpBody, kind)
    jobId = run.id
    early.splice(0).forEach(onEvent)
    const envelope = dlpEnvelopeWhenDone(deps.playground, owner, run.id, payload as DlpBody)
    await envelope.catch(() => undefined)
    await Promise.race([lastEvent, new Promise((resolve) => setTimeout(resolve, LAST_EVENTS_GRACE_MS).unref())])
    isOver = true
    socket.emit('trainingResult', { success: true, ...(await envelope), status: 200 })
  } catch (error) {
    isOver = true
    socket.emit('trainingResult', { success: false, message: toMessage(error, deps.logger), status: 400 })
  } finally {
    await unsubscribe?.().catch((err: unknown) => deps.logger.warn({ err }, 'dlp training unsubscribe failed'))
  }
}

async function sendEmail(
  deps: DlpSocketDeps,
  owner: Principal,
  payload: unknown,
): Promise<{ success: boolean; message: string }> {
  const body = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>
  for (const key of ['email_address', 'subject', 'body_text'])
    if (body[key] === undefined || body[key] === '') return { success: false, message: `Missing parameter ${key}` }
  assertMatches(DlpEmailPayload, payload, 'payload')
  if (Array.isArray(body.attachment_array) && body.attachment_array.length > 0) {
    return {
      success: false,
      message:
        'Attachments are not read from file paths; e-mail a run’s results with POST /v1/playground/mail and its runId',
    }
  }
  const sent = await sendUserMail(deps.playground.mail, owner, {
    to: body.email_address as string,
    subject: body.subject as string,
    text: body.body_text as string,
  })
  return { success: true, message: `Sent email to ${sent.to}` }
}

/** `updateUserSettings`: the account exists already, so the token it carries is only checked to be this socket's own user's. */
async function checkSettingsToken(deps: DlpSocketDeps, owner: Principal, payload: unknown): Promise<void> {
  assertMatches(DlpUserSettingsPayload, payload, 'payload')
  const token = (payload as { authorization?: string }).authorization
  if (token === undefined) throw new AppError('invalid_argument', 'No token provided')
  const principal = await deps.authenticate(token).catch(() => undefined)
  if (principal?.userId !== owner.userId) throw new AppError('invalid_argument', 'Invalid token provided')
}

/** One person's socket: each event validated, answered on this socket alone, never crashing the connection. */
function onConnection(deps: DlpSocketDeps, socket: Socket): void {
  const owner = socket.data.principal as Principal | undefined
  if (owner === undefined || owner.deviceId !== null) return // device keys have no playground
  // What is not answered (a bad frontendLog line, a reply to a socket gone) is logged, never thrown.
  const safely = (work: () => Promise<void>) =>
    void work().catch((error: unknown) =>
      error instanceof AppError
        ? deps.logger.warn(
            { userId: owner.userId, code: error.code, message: error.message },
            'dlp socket event refused',
          )
        : deps.logger.error({ err: error }, 'dlp socket event failed'),
    )
  socket.on('runTraining', (payload: unknown) => safely(() => runTraining(deps, socket, owner, payload, 'tabular')))
  socket.on('img-run', (payload: unknown) => safely(() => runTraining(deps, socket, owner, payload, 'image')))
  socket.on('sendEmail', (payload: unknown) =>
    safely(async () => {
      socket.emit(
        'emailResult',
        await sendEmail(deps, owner, payload).catch((error: unknown) => ({
          success: false,
          message: toMessage(error, deps.logger),
        })),
      )
    }),
  )
  socket.on('defaultDataset', (payload: unknown) =>
    safely(async () => {
      try {
        assertMatches(DlpDefaultDatasetPayload, payload, 'payload')
        const dataset = await getBuiltinDataset((payload as { using_default_dataset: string }).using_default_dataset)
        socket.emit('defaultColumns', { success: true, columns: dataset.columns.map((c) => c.name) })
      } catch (error) {
        socket.emit('defaultColumns', { success: false, message: toMessage(error, deps.logger) })
      }
    }),
  )
  socket.on('frontendLog', (log: unknown) =>
    safely(async () => {
      assertMatches(DlpFrontendLog, log, 'log')
      await deps.playground.logs.record(owner, { message: log as string })
    }),
  )
  socket.on('updateUserSettings', (payload: unknown) =>
    safely(async () => {
      await checkSettingsToken(deps, owner, payload).catch((error: unknown) =>
        socket.emit('authenticationResult', { success: false, message: toMessage(error, deps.logger) }),
      )
    }),
  )
}

/** Adds the seed's events to every person's socket on `/`. */
export function registerDlpSockets(sockets: SocketServer, deps: DlpSocketDeps): void {
  sockets.io.of('/').on('connection', (socket) => onConnection(deps, socket))
}
