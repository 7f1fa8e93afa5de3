// The routes behind the adapter's signed links (dlp.presigned.ts): a run's files by a download
// link, and a dataset file by a presigned upload form. No Authorization header: the link is the
// credential. A tampered, expired or foreign link is a 403, a run gone a 404, as S3 answered.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { HTTP_STATUS } from '../../errors.js'
import { toAppError } from '../../platform/http/http-errors.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { modelFile, tfjsModelJson } from '../../domains/playground/playground.service.js'
import { MAX_UPLOAD_BYTES } from '../../domains/playground/uploads.js'
import { resultsCsv } from '../../domains/playground/results.js'
import { AppError } from '../../errors.js'
import {
  DATASET_UPLOAD_PATH,
  EXECUTION_FILES_PATH,
  linkedRun,
  type PresignDeps,
  storePresignedUpload,
} from './dlp.presigned.js'

const tags = ['compat: dlp']

/** The seed's `{success: false, message}` body, with the status S3 gave for a refused link (403) or a missing object (404). */
function handleLinkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const appError = toAppError(error)
  if (appError.code === 'internal') request.log.error({ err: error }, 'request failed')
  const status = ['permission_denied', 'not_found', 'payload_too_large', 'internal', 'unavailable'].includes(
    appError.code,
  )
    ? HTTP_STATUS[appError.code]
    : 400
  return reply.status(status).send({
    success: false,
    message: appError.code === 'internal' ? 'Something went wrong on the server; try again later' : appError.message,
  })
}

/** `<token>/<file>`: a wildcard, since a token is longer than a path parameter may be (100 characters). */
const FileParams = Type.Object({
  '*': Type.String({ maxLength: 2100, pattern: '^[^/]+/(dl_results\\.csv|model\\.json|weights\\.bin)$' }),
})

/** Registers the signed routes in a scope of their own (multipart is registered by the caller's scope). */
export async function registerPresignedRoutes(app: HttpServer, deps: PresignDeps): Promise<void> {
  await app.register(async (scope: HttpServer) => {
    scope.setErrorHandler(handleLinkError)
    scope.get(
      `${EXECUTION_FILES_PATH}/*`,
      {
        schema: {
          tags,
          summary: 'DLP: a run’s file by a signed link of getExecutionsFilesPresignedUrls',
          description:
            'dl_results.csv, or the TensorFlow.js model (model.json, weights.bin beside it). 403 for a tampered or expired link.',
          params: FileParams,
        },
      },
      async (request, reply) => {
        const [token, file] = (request.params as { '*': string })['*'].split('/') as [string, string]
        const { owner, run } = await linkedRun(deps, token)
        if (run.results === null || run.modelId === null)
          throw new AppError('not_found', `Run ${run.id} has no results (it is ${run.job.state})`)
        const playground = deps.playground.deps
        if (file === 'dl_results.csv')
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="dl_results.csv"')
            .send(resultsCsv(run.results))
        if (file === 'model.json') return tfjsModelJson(playground, owner, run.modelId)
        return reply
          .type('application/octet-stream')
          .send(await modelFile(playground, owner, run.modelId, 'weights.bin'))
      },
    )
    scope.post(
      DATASET_UPLOAD_PATH,
      {
        bodyLimit: MAX_UPLOAD_BYTES + 64 * 1024,
        schema: {
          tags,
          summary: 'DLP: a dataset file by the presigned form of getUserDatasetFileUploadPresignedPostObj',
          description: `multipart: the form's fields (key, token), then one \`file\` of at most ${MAX_UPLOAD_BYTES} bytes. 204 once stored; 403 for a tampered or expired form.`,
          response: { 204: Type.Null() },
        },
      },
      async (request, reply) => {
        await storePresignedUpload(deps, request)
        return reply.status(204).send(null)
      },
    )
  })
}
