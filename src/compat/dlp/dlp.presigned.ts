// The seed's S3 presigned URLs (CONTRACTS §5A, `getExecutionsFilesPresignedUrls` and
// `getUserDatasetFileUploadPresignedPostObj`) without a bucket: links to pulsebase's own routes,
// signed for one user and one run or one upload, expiring after a few minutes (signed-links.ts).
// The seed's client fetches and posts them without its Authorization header, so the link is the
// credential; every use checks its signature and expiry and reads only that user's own rows.
import type { FastifyRequest } from 'fastify'
import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import { readPrincipal } from '../../platform/http/http-auth.js'
import type { PlaygroundModule } from '../../domains/playground/playground.module.js'
import type { Run } from '../../domains/playground/playground.schema.js'
import { findRunByClientRef, getRun, ownEmail, playgroundModel } from '../../domains/playground/playground.service.js'
import { uploadCsv, uploadImageZip } from '../../domains/playground/uploads.js'
import { UPLOAD_IMAGE_SHAPE } from './dlp.files.js'
import type { DlpBody } from './dlp.mapping.js'
import type { LinkSigner } from './signed-links.js'

/** How long a download link of `getExecutionsFilesPresignedUrls` stays valid. */
export const DOWNLOAD_LINK_TTL_MS = 10 * 60_000
/** How long an upload form of `getUserDatasetFileUploadPresignedPostObj` stays valid. */
export const UPLOAD_LINK_TTL_MS = 10 * 60_000

/** Where the signed routes live (under the adapter's own paths, so they answer on its own port too). */
export const EXECUTION_FILES_PATH = '/api/s3/executions'
export const DATASET_UPLOAD_PATH = '/api/s3/dataset-uploads'

export interface PresignDeps {
  readonly playground: PlaygroundModule
  readonly links: LinkSigner
}

const invalid = (message: string) => new AppError('invalid_argument', message)
/** The scheme and host the client reached (on the main port or the adapter's own), for links back to it. */
const originOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`
/** The account a link was signed for, as the principal the playground reads with. */
const linkOwner = (userId: string): Principal => ({ userId, role: 'user', deviceId: null })

/** The user's run by pulsebase id or by the client's own `execution_id`; undefined for anyone else's. */
async function findOwnRun(playground: PlaygroundModule, userId: string, execId: string): Promise<Run | undefined> {
  const byId = await getRun(playground.deps, userId, execId).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'not_found') return undefined
    throw error
  })
  return byId ?? findRunByClientRef(playground.deps, userId, execId)
}

/**
 * `getExecutionsFilesPresignedUrls` {exec_id}: `dl_results` (the results CSV) and, for a network,
 * `model_pt` and `model_onnx` both naming the TensorFlow.js model.json (weights.bin beside it under
 * the same link); pulsebase writes neither PyTorch nor ONNX files, and a classical model has null.
 */
export async function executionFileUrls(
  deps: PresignDeps,
  request: FastifyRequest,
  body: DlpBody,
): Promise<Record<string, unknown>> {
  const execId = body.exec_id
  if (typeof execId !== 'string' || execId === '' || execId.length > 100) throw invalid('Missing parameter exec_id')
  const owner = readPrincipal(request)
  const run = await findOwnRun(deps.playground, owner.userId, execId)
  if (run === undefined) throw invalid(`You have no execution ${JSON.stringify(execId)}; getExecutionsData lists yours`)
  if (run.results === null || run.modelId === null)
    throw invalid(`Execution ${JSON.stringify(execId)} has no results yet (it is ${run.job.state})`)
  const { params } = await playgroundModel(deps.playground.deps, owner.userId, run.modelId)
  const token = deps.links.sign(
    { userId: owner.userId, purpose: 'execution-files', subject: run.id },
    DOWNLOAD_LINK_TTL_MS,
  )
  const base = `${originOf(request)}${EXECUTION_FILES_PATH}/${token}`
  const model = params.model.kind === 'network' ? `${base}/model.json` : null
  return { dl_results: `${base}/dl_results.csv`, model_pt: model, model_onnx: model }
}

/** The run a download link names, read as its own user's; not_found once the run is gone. */
export async function linkedRun(deps: PresignDeps, token: string): Promise<{ owner: Principal; run: Run }> {
  const claims = deps.links.verify(token, 'execution-files')
  const owner = linkOwner(claims.userId)
  return { owner, run: await getRun(deps.playground.deps, owner.userId, claims.subject) }
}

/** What the client's `data_source` (lower-cased) uploads: a table from a .csv, or images from a .zip. */
const UPLOAD_KINDS: Readonly<Record<string, { extension: string }>> = {
  tabular: { extension: '.csv' },
  image: { extension: '.zip' },
}

/**
 * `getUserDatasetFileUploadPresignedPostObj` {data_source, name}: a form (`url`, `fields`) that a
 * multipart POST of the fields and then `file` turns into the token's user's upload of that name.
 */
export function uploadPostObject(deps: PresignDeps, request: FastifyRequest, body: DlpBody): Record<string, unknown> {
  const source = String(body.data_source ?? '').toLowerCase()
  const kind = UPLOAD_KINDS[source]
  if (kind === undefined) throw invalid('data_source must be tabular or image')
  const name = body.name
  if (typeof name !== 'string' || name === '') throw invalid('Missing parameter name')
  if (name.length > 200 || /[\\/]/.test(name) || [...name].some((c) => c.charCodeAt(0) < 0x20))
    throw invalid('name must be a file name of at most 200 characters, without slashes')
  if (!name.toLowerCase().endsWith(kind.extension))
    throw invalid(`A ${source} dataset is uploaded as a ${kind.extension} file; name it so`)
  const key = `${source}/${name}`
  const token = deps.links.sign(
    { userId: readPrincipal(request).userId, purpose: 'dataset-upload', subject: key },
    UPLOAD_LINK_TTL_MS,
  )
  return {
    message: 'File upload success',
    presigned_post_obj: { url: `${originOf(request)}${DATASET_UPLOAD_PATH}`, fields: { key, token } },
  }
}

/**
 * Receives a presigned upload form: the `token` field (and `key`, when sent, matching it) before one
 * `file`, stored as the link's user's upload through the playground's own parsers and limits.
 */
export async function storePresignedUpload(deps: PresignDeps, request: FastifyRequest): Promise<void> {
  if (!request.isMultipart()) throw invalid('Send the form as multipart/form-data: its fields, then "file"')
  let key: string | undefined
  let owner: Principal | undefined
  let subject: string | undefined
  let isStored = false
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      if (part.fieldname === 'token') {
        const claims = deps.links.verify(String(part.value), 'dataset-upload')
        owner = linkOwner(claims.userId)
        subject = claims.subject
      } else if (part.fieldname === 'key') key = String(part.value)
      continue
    }
    if (part.fieldname !== 'file' || isStored) throw invalid('Send one file, in the field "file"')
    if (owner === undefined || subject === undefined)
      throw new AppError('permission_denied', 'Send the presigned fields (token) before the file')
    if (key !== undefined && key !== subject)
      throw new AppError('permission_denied', 'The key field does not match the presigned upload')
    await ownEmail(deps.playground.deps, owner) // the account still exists
    const slash = subject.indexOf('/')
    const [source, name] = [subject.slice(0, slash), subject.slice(slash + 1)]
    const bytes = await part.toBuffer()
    if (source === 'image') await uploadImageZip(deps.playground.uploads, owner, name, bytes, UPLOAD_IMAGE_SHAPE)
    else await uploadCsv(deps.playground.uploads, owner, name, bytes)
    isStored = true
  }
  if (!isStored) throw invalid('Send the file as multipart/form-data in the field "file", after the fields')
}
