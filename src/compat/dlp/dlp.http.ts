// The Deep Learning Playground's spring-2023 REST routes (CONTRACTS §5A) on the playground domain:
// flat `/api/<name>` and blueprint `/api/<group>/<name>` paths, `{"success": …}` bodies as JSON, the
// user always the token's. No eval (user_arch.ts), no file paths, no URL fetching, no tracebacks.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { AppError, HTTP_STATUS } from '../../errors.js'
import type { Authenticate } from '../../platform/auth/principal.js'
import { principalOf } from '../../platform/http/http-auth.js'
import { toAppError } from '../../platform/http/http-errors.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import type { PlaygroundModule } from '../../domains/playground/playground.module.js'
import { sendUserMail } from '../../domains/playground/playground-mail.js'
import { createRun, getBuiltinDataset, listRuns } from '../../domains/playground/playground.service.js'
import { getProgress, recordAnswer, seedProgress } from '../../domains/playground/progress.service.js'
import { uploadCsv } from '../../domains/playground/uploads.js'
import { awaitTrainingJob } from '../../domains/ml/training.service.js'
import { dlpRequest, trainingEnvelope, type DlpBody } from './dlp.mapping.js'

const NOT_AUTHENTICATED = 'User is not authenticated'
const tags = ['compat: dlp']
const Body = Type.Record(Type.String(), Type.Unknown())
/** How long `tabular-run` and `ml-run` wait for their training before answering (the seed trained in the request). */
const TRAIN_WAIT_MS = 10 * 60_000

function seedAuth(authenticate: Authenticate) {
  return async (request: FastifyRequest): Promise<void> => {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')
    if (match === null) throw new AppError('unauthenticated', NOT_AUTHENTICATED)
    const principal = await authenticate(match[1] as string).catch(() => {
      throw new AppError('unauthenticated', NOT_AUTHENTICATED)
    })
    if (principal.deviceId !== null) throw new AppError('unauthenticated', NOT_AUTHENTICATED)
    request.principal = principal
  }
}

/** `{"success": false, "message"}`: 400 for what the client sent, 401 without credentials; never a traceback. */
function handleSeedError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const appError = toAppError(error)
  if (appError.code === 'internal') request.log.error({ err: error }, 'request failed')
  if (appError.retryAfterSeconds !== undefined) reply.header('retry-after', String(appError.retryAfterSeconds))
  const status = appError.code === 'unauthenticated' ? 401 : appError.code === 'internal' || appError.code === 'unavailable' ? HTTP_STATUS[appError.code] : 400
  return reply.status(status).send({ success: false, message: appError.code === 'internal' ? 'Something went wrong on the server; try again later' : appError.message })
}

type Handler = (body: DlpBody, request: FastifyRequest) => Promise<Record<string, unknown>>
/** Routes whose answer is their own object, without the `success` envelope (the progress routes). */
const RAW = new Set(['/api/getUserProgressData', '/api/updateUserProgressData'])

const SEED_STATUS: Record<string, string> = { queued: 'QUEUED', running: 'TRAINING', succeeded: 'SUCCESS', failed: 'ERROR', cancelled: 'ERROR' }

/** The routes, each at its flat path and (when it has one) its May-2023 blueprint path. */
function routes(platform: { playground: PlaygroundModule }): [string, string | undefined, Handler][] {
  const { deps, uploads, mail } = platform.playground
  const owner = (request: FastifyRequest) => principalOf(request)
  const queue = async (body: DlpBody, request: FastifyRequest, kind: 'tabular' | 'classical') => {
    const mapped = await dlpRequest(body, kind, (rows) => uploadCsv(uploads, owner(request), `dlp ${String(body.execution_id ?? 'upload')}`.slice(0, 200), rows).then((d) => d.id))
    return createRun(deps, owner(request), mapped.request, mapped.run)
  }
  const train = (kind: 'tabular' | 'classical'): Handler => async (body, request) => {
    const run = await queue(body, request, kind)
    const job = await awaitTrainingJob(deps.training, owner(request).userId, run.id, TRAIN_WAIT_MS)
    if (job.state !== 'succeeded') throw new AppError('invalid_argument', job.error ?? `Training ${job.state}`)
    return trainingEnvelope(deps, owner(request).userId, run.id, body)
  }
  return [
    ['/api/tabular-run', '/api/train/tabular-run', train('tabular')],
    ['/api/ml-run', undefined, train('classical')],
    ['/api/writeToQueue', '/api/aws/writeToQueue', async (body, request) => {
      await queue(body, request, String(body.data_source ?? '').toUpperCase() === 'CLASSICAL_ML' ? 'classical' : 'tabular')
      return { message: 'Successfully added your training request to the queue' }
    }],
    ['/api/defaultDataset', '/api/dataset/defaultDataset', async (body) => {
      const dataset = await getBuiltinDataset(String(body.using_default_dataset ?? ''))
      return { columns: JSON.stringify(dataset.columns.map((c) => c.name)) }
    }],
    ['/api/getExecutionsData', undefined, async (_body, request) => {
      const runs = await listRuns(deps, owner(request).userId, 100)
      const record = runs.map((run) => ({ data_source: run.dataSource, name: run.name, progress: run.percent, status: run.job.state === 'running' && run.job.epochs.length === 0 ? 'STARTING' : SEED_STATUS[run.job.state], timestamp: run.job.createdAt.replace(/\.\d{3}Z$/, 'Z'), execution_id: run.id }))
      return { record: JSON.stringify(record) }
    }],
    ['/api/getUserProgressData', '/api/trainspace/getUserProgressData', async (_body, request) => seedProgress(await getProgress(deps.training.db, owner(request)))],
    ['/api/updateUserProgressData', '/api/trainspace/updateUserProgressData', async (body, request) => {
      const ids = ['moduleID', 'sectionID', 'questionID'].map((key) => {
        const value = body[key]
        if ((typeof value !== 'string' && typeof value !== 'number') || !/^[A-Za-z0-9._:-]{1,100}$/.test(String(value))) throw new AppError('invalid_argument', `Missing parameter ${key}`)
        return String(value)
      }) as [string, string, string]
      await recordAnswer(deps.training.db, owner(request), { moduleId: ids[0], sectionId: ids[1], questionId: ids[2] }, deps.training.now())
      return { status: 'success' }
    }],
    ['/api/sendEmail', '/api/aws/sendEmail', async (body, request) => {
      for (const key of ['email_address', 'subject', 'body_text']) if (typeof body[key] !== 'string' || body[key] === '') throw new AppError('invalid_argument', `Missing parameter ${key}`)
      if (body.attachment_array !== undefined && !(Array.isArray(body.attachment_array) && body.attachment_array.length === 0)) {
        throw new AppError('invalid_argument', 'Attachments are not read from file paths; e-mail a run’s results with POST /v1/playground/mail and its runId')
      }
      const sent = await sendUserMail(mail, owner(request), { to: body.email_address as string, subject: (body.subject as string).slice(0, 200), text: (body.body_text as string).slice(0, 20_000) })
      return { message: `Sent email to ${sent.to}` }
    }],
  ]
}

/** Registers the adapter's routes in a scope of their own (only they answer with the seed's body). */
export async function registerDlpCompatHttp(app: HttpServer, platform: { playground: PlaygroundModule; authenticate: Authenticate; isTestPathTaken: boolean }): Promise<void> {
  await app.register(async (scope: HttpServer) => {
    scope.setErrorHandler(handleSeedError)
    const alive = { schema: { tags, summary: 'DLP: the backend is alive', response: { 200: Type.Object({ Status: Type.String() }) } } }
    // GET /test is the m2m adapter's when both are on (the first to claim it keeps it); /api/test/ is always ours.
    if (!platform.isTestPathTaken) scope.get('/test', alive, async () => ({ Status: 'Backend is alive' }))
    scope.get('/api/test/', alive, async () => ({ Status: 'Backend is alive' }))
    const auth = { onRequest: seedAuth(platform.authenticate) }
    for (const [flat, blueprint, handle] of routes(platform)) {
      for (const path of blueprint === undefined ? [flat] : [flat, blueprint]) {
        scope.post(path, { ...auth, schema: { tags, hide: path !== flat, body: Body } }, async (request) => {
          const answer = await handle((request.body ?? {}) as DlpBody, request)
          return RAW.has(flat) ? answer : { success: true, ...answer }
        })
      }
    }
  })
}
