// The Deep Learning Playground's spring-2023 REST routes (CONTRACTS §5A) on the playground domain:
// flat `/api/<name>` and blueprint `/api/<group>/<name>` paths, `{"success": …}` bodies as JSON, the
// user always the token's. No eval (user_arch.ts), no file paths, no URL fetching, no tracebacks.
import multipart from '@fastify/multipart'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { AppError, HTTP_STATUS } from '../../errors.js'
import type { Authenticate } from '../../platform/auth/principal.js'
import { readPrincipal } from '../../platform/http/http-auth.js'
import { toAppError } from '../../platform/http/http-errors.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import type { PlaygroundModule } from '../../domains/playground/playground.module.js'
import { sendUserMail } from '../../domains/playground/playground-mail.js'
import { getBuiltinDataset, listRuns } from '../../domains/playground/playground.service.js'
import { getProgress, recordAnswer, seedProgress } from '../../domains/playground/progress.service.js'
import { MAX_UPLOAD_BYTES } from '../../domains/playground/uploads.js'
import { datasetFileColumns, datasetFilesData, storeUploadedFile } from './dlp.files.js'
import type { DlpBody } from './dlp.mapping.js'
import { dlpEnvelopeWhenDone, type DlpKind, queueDlpRun } from './dlp.training.js'
import { registerPresignedRoutes } from './dlp-presigned.http.js'
import { executionFileUrls, uploadPostObject } from './dlp.presigned.js'
import {
  createEmptyTrainspace,
  createTrainspaceFromForm,
  isTrainspaceForm,
  trainspaceRecords,
} from './dlp.trainspace.js'
import type { LinkSigner } from './signed-links.js'

const NOT_AUTHENTICATED = 'User is not authenticated'
const tags = ['compat: dlp']
const Body = Type.Record(Type.String(), Type.Unknown())

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
  const status =
    appError.code === 'unauthenticated'
      ? 401
      : appError.code === 'internal' || appError.code === 'unavailable'
        ? HTTP_STATUS[appError.code]
        : 400
  return reply.status(status).send({
    success: false,
    message: appError.code === 'internal' ? 'Something went wrong on the server; try again later' : appError.message,
  })
}

type Handler = (body: DlpBody, request: FastifyRequest) => Promise<Record<string, unknown>>
/** Routes whose answer is their own object, without the `success` envelope (the progress routes). */
const RAW = new Set(['/api/getUserProgressData', '/api/updateUserProgressData'])

const SEED_STATUS: Record<string, string> = {
  queued: 'QUEUED',
  running: 'TRAINING',
  succeeded: 'SUCCESS',
  failed: 'ERROR',
  cancelled: 'ERROR',
}

/** What the adapter's routes read: the playground, and the signer of its links (in place of S3's presigned URLs). */
export interface DlpHttpDeps {
  readonly playground: PlaygroundModule
  readonly links: LinkSigner
}

const NO_OBJECT_DETECTION =
  'Object detection is not available in pulsebase: it ships no detection model and does not send images to AWS Rekognition; train an image classifier with img-run instead'

/** The routes, each at its flat path and (when it has one) its May-2023 blueprint path. */
function routes(platform: DlpHttpDeps): [string, string | undefined, Handler][] {
  const { playground } = platform
  const { deps, mail } = playground
  const owner = (request: FastifyRequest) => readPrincipal(request)
  const train =
    (kind: DlpKind): Handler =>
    async (body, request) => {
      const run = await queueDlpRun(playground, owner(request), body, kind)
      return dlpEnvelopeWhenDone(playground, owner(request), run.id, body)
    }
  const executions: Handler = async (_body, request) => {
    const runs = await listRuns(deps, owner(request).userId, 100)
    const record = runs.map((run) => ({
      data_source: run.dataSource,
      name: run.name,
      progress: run.percent,
      status: run.job.state === 'running' && run.job.epochs.length === 0 ? 'STARTING' : SEED_STATUS[run.job.state],
      timestamp: run.job.createdAt.replace(/\.\d{3}Z$/, 'Z'),
      execution_id: run.id,
    }))
    return { record: JSON.stringify(record) }
  }
  const trainTabular = train('tabular')
  return [
    [
      '/api/tabular-run',
      '/api/train/tabular-run',
      // The May-2023 nextjs form stores a trainspace and does not train (as the seed); the April form trains.
      async (body, request) =>
        isTrainspaceForm(body)
          ? { message: 'success', ...(await createTrainspaceFromForm(playground, owner(request), body)) }
          : trainTabular(body, request),
    ],
    [
      '/api/create-trainspace',
      '/api/trainspace/create-trainspace',
      async (body, request) => ({
        message: 'success',
        ...(await createEmptyTrainspace(playground, owner(request), body)),
      }),
    ],
    [
      '/api/object-detection',
      '/api/train/object-detection',
      async () => {
        throw new AppError('invalid_argument', NO_OBJECT_DETECTION)
      },
    ],
    [
      '/api/getExecutionsFilesPresignedUrls',
      '/api/s3/getExecutionsFilesPresignedUrls',
      async (body, request) => executionFileUrls(platform, request, body),
    ],
    [
      '/api/getUserDatasetFileUploadPresignedPostObj',
      '/api/s3/getUserDatasetFileUploadPresignedPostObj',
      async (body, request) => uploadPostObject(platform, request, body),
    ],
    ['/api/ml-run', undefined, train('classical')],
    ['/api/img-run', '/api/train/img-run', train('image')],
    [
      '/api/writeToQueue',
      '/api/aws/writeToQueue',
      async (body, request) => {
        const source = String(body.data_source ?? '').toUpperCase()
        await queueDlpRun(
          playground,
          owner(request),
          body,
          source === 'CLASSICAL_ML' ? 'classical' : source === 'IMAGE' ? 'image' : 'tabular',
        )
        return { message: 'Successfully added your training request to the queue' }
      },
    ],
    [
      '/api/getUserDatasetFilesData',
      '/api/s3/getUserDatasetFilesData',
      async (body, request) => datasetFilesData(playground, request, body),
    ],
    [
      '/api/getColumnsFromDatasetFile',
      '/api/dataset/getColumnsFromDatasetFile',
      async (body, request) => datasetFileColumns(playground, request, body),
    ],
    [
      '/api/sendUserCodeEval',
      '/api/aws/sendUserCodeEval',
      async () => {
        throw new AppError(
          'invalid_argument',
          'The server never runs submitted code; prepare the data before uploading it',
        )
      },
    ],
    [
      '/api/defaultDataset',
      '/api/dataset/defaultDataset',
      async (body) => {
        const dataset = await getBuiltinDataset(String(body.using_default_dataset ?? ''))
        return { columns: JSON.stringify(dataset.columns.map((c) => c.name)) }
      },
    ],
    ['/api/getExecutionsData', undefined, executions],
    [
      '/api/getTrainspaceData',
      '/api/trainspace/getTrainspaceData',
      async (_body, request) => ({
        record: JSON.stringify(await trainspaceRecords(playground, owner(request))),
      }),
    ],
    [
      '/api/getUserProgressData',
      '/api/trainspace/getUserProgressData',
      async (_body, request) => seedProgress(await getProgress(deps.training.db, owner(request))),
    ],
    [
      '/api/updateUserProgressData',
      '/api/trainspace/updateUserProgressData',
      async (body, request) => {
        const ids = ['moduleID', 'sectionID', 'questionID'].map((key) => {
          const value = body[key]
          if (
            (typeof value !== 'string' && typeof value !== 'number') ||
            !/^[A-Za-z0-9._:-]{1,100}$/.test(String(value))
          )
            throw new AppError('invalid_argument', `Missing parameter ${key}`)
          return String(value)
        }) as [string, string, string]
        await recordAnswer(
          deps.training.db,
          owner(request),
          { moduleId: ids[0], sectionId: ids[1], questionId: ids[2] },
          deps.training.now(),
        )
        return { status: 'success' }
      },
    ],
    [
      '/api/sendEmail',
      '/api/aws/sendEmail',
      async (body, request) => {
        for (const key of ['email_address', 'subject', 'body_text'])
          if (typeof body[key] !== 'string' || body[key] === '')
            throw new AppError('invalid_argument', `Missing parameter ${key}`)
        if (
          body.attachment_array !== undefined &&
          !(Array.isArray(body.attachment_array) && body.attachment_array.length === 0)
        ) {
          throw new AppError(
            'invalid_argument',
            'Attachments are not read from file paths; e-mail a run’s results with POST /v1/playground/mail and its runId',
          )
        }
        const sent = await sendUserMail(mail, owner(request), {
          to: body.email_address as string,
          subject: (body.subject as string).slice(0, 200),
          text: (body.body_text as string).slice(0, 20_000),
        })
        return { message: `Sent email to ${sent.to}` }
      },
    ],
  ]
}

/** Registers the adapter's routes in a scope of their own (only they answer with the seed's body). */
export async function registerDlpCompatHttp(
  app: HttpServer,
  platform: DlpHttpDeps & { authenticate: Authenticate; isTestPathTaken: boolean },
): Promise<void> {
  await app.register(async (scope: HttpServer) => {
    scope.setErrorHandler(handleSeedError)
    const alive = {
      schema: { tags, summary: 'DLP: the backend is alive', response: { 200: Type.Object({ Status: Type.String() }) } },
    }
    // GET /test is the m2m adapter's when both are on (the first to claim it keeps it); /api/test/ is always ours.
    if (!platform.isTestPathTaken) scope.get('/test', alive, async () => ({ Status: 'Backend is alive' }))
    scope.get('/api/test/', alive, async () => ({ Status: 'Backend is alive' }))
    const auth = { onRequest: seedAuth(platform.authenticate) }
    // The seed's uploads are multipart (`file`): one file, under the playground's upload limit.
    await scope.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, parts: 12 } })
    const uploads: [string, string][] = [
      ['/api/upload', 'upload success'],
      ['/api/s3/upload', 'upload success'],
      ['/api/getSignedUploadUrl', 'Upload successful'],
      ['/api/s3/getSignedUploadUrl', 'Upload successful'],
    ]
    for (const [path, message] of uploads) {
      scope.post(
        path,
        {
          ...auth,
          bodyLimit: MAX_UPLOAD_BYTES + 64 * 1024,
          schema: {
            tags,
            hide: path.startsWith('/api/s3/'),
            summary: 'DLP: upload a dataset file (multipart `file`: a .zip of class folders or a .csv)',
          },
        },
        async (request) => {
          await storeUploadedFile(platform.playground, request)
          return { success: true, message }
        },
      )
    }
    await registerPresignedRoutes(scope, platform)
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
