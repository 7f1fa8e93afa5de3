import type { Readable } from 'node:stream'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import { type Guards, principalOf } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { deleteUpload, getUpload, listUploads, MAX_UPLOAD_BYTES, readLimited, UploadedDatasetDetail, UploadedDatasetList, UploadParams, UploadQuery, type UploadsDeps, uploadCsv } from './uploads.js'

const tags = ['playground']
const security = [{ bearer: [] }]

export async function registerUploadsHttp(app: HttpServer, deps: UploadsDeps, guards: Guards): Promise<void> {
  const person = { onRequest: guards.person }
  app.get('/v1/playground/uploads', { ...person, schema: { tags, security, summary: 'Your uploaded CSV datasets, newest first', response: { 200: UploadedDatasetList } } }, async (request) => ({
    datasets: await listUploads(deps, principalOf(request)),
  }))
  app.get('/v1/playground/uploads/:id', { ...person, schema: { tags, security, summary: 'An uploaded dataset: columns, detected types, first rows', params: UploadParams, response: { 200: UploadedDatasetDetail } } }, async (request) =>
    getUpload(deps, principalOf(request), request.params.id),
  )
  app.delete('/v1/playground/uploads/:id', { ...person, schema: { tags, security, params: UploadParams, response: { 204: Type.Null() } } }, async (request, reply) => {
    await deleteUpload(deps, principalOf(request), request.params.id)
    return reply.status(204).send(null)
  })
  // The body arrives as a stream (this scope's parser hands it over unread) and is read under the limit.
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>()
    scope.addContentTypeParser(['text/csv', 'text/plain'], (_request, payload, done) => done(null, payload))
    scope.post(
      '/v1/playground/uploads',
      {
        ...person,
        bodyLimit: MAX_UPLOAD_BYTES,
        schema: {
          tags,
          security,
          summary: 'Upload a CSV dataset (Content-Type: text/csv): header row, then data; columns and types are detected',
          description: `At most ${MAX_UPLOAD_BYTES} bytes (413). A ragged row, an empty cell or a repeated column name refuses the file with its line (400); nothing is stored then.`,
          querystring: UploadQuery,
          response: { 201: UploadedDatasetDetail },
        },
      },
      async (request, reply) => {
        const body = request.body as unknown
        if (body === null || typeof body !== 'object' || !(Symbol.asyncIterator in body)) throw new AppError('invalid_argument', 'Send the CSV as the body with Content-Type: text/csv')
        const bytes = await readLimited(body as Readable)
        return reply.status(201).send(await uploadCsv(deps, principalOf(request), request.query.name, bytes))
      },
    )
  })
}
