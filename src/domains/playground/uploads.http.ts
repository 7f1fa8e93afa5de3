import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import { type Guards, readPrincipal } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { IMAGE_ZIP_LIMITS } from './image-zip.js'
import {
  deleteUpload,
  getUpload,
  ImageUploadQuery,
  listUploads,
  MAX_UPLOAD_BYTES,
  readLimited,
  UploadedDatasetDetail,
  UploadedDatasetList,
  UploadParams,
  UploadQuery,
  type UploadsDeps,
  uploadCsv,
  uploadImageZip,
} from './uploads.js'

const tags = ['playground']
const security = [{ bearer: [] }]

/** The bytes this scope's parser read (streamed, under the limit); a 400 saying what to send otherwise. */
function readBytes(body: unknown, what: string): Buffer {
  if (!Buffer.isBuffer(body)) throw new AppError('invalid_argument', `Send ${what}`)
  return body
}

export async function registerUploadsHttp(app: HttpServer, deps: UploadsDeps, guards: Guards): Promise<void> {
  const person = { onRequest: guards.person }
  app.get(
    '/v1/playground/uploads',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'Your uploaded CSV datasets, newest first',
        response: { 200: UploadedDatasetList },
      },
    },
    async (request) => ({
      datasets: await listUploads(deps, readPrincipal(request)),
    }),
  )
  app.get(
    '/v1/playground/uploads/:id',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'An uploaded dataset: columns, detected types, first rows',
        params: UploadParams,
        response: { 200: UploadedDatasetDetail },
      },
    },
    async (request) => getUpload(deps, readPrincipal(request), request.params.id),
  )
  app.delete(
    '/v1/playground/uploads/:id',
    { ...person, schema: { tags, security, params: UploadParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await deleteUpload(deps, readPrincipal(request), request.params.id)
      return reply.status(204).send(null)
    },
  )
  // This scope's parser reads the body stream under the limit (413 past it) and hands over the bytes.
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>()
    scope.addContentTypeParser(
      ['text/csv', 'text/plain', 'application/zip', 'application/x-zip-compressed'],
      (_request, payload, done) => {
        readLimited(payload).then(
          (bytes) => done(null, bytes),
          (error: Error) => done(error, undefined),
        )
      },
    )
    scope.post(
      '/v1/playground/uploads',
      {
        ...person,
        bodyLimit: MAX_UPLOAD_BYTES,
        schema: {
          tags,
          security,
          summary:
            'Upload a CSV dataset (Content-Type: text/csv): header row, then data; columns and types are detected',
          description: `At most ${MAX_UPLOAD_BYTES} bytes (413). A ragged row, an empty cell or a repeated column name refuses the file with its line (400); nothing is stored then.`,
          querystring: UploadQuery,
          response: { 201: UploadedDatasetDetail },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await uploadCsv(
              deps,
              readPrincipal(request),
              request.query.name,
              readBytes(request.body, 'the CSV as the body with Content-Type: text/csv'),
            ),
          ),
    )
    scope.post(
      '/v1/playground/uploads/images',
      {
        ...person,
        bodyLimit: MAX_UPLOAD_BYTES,
        schema: {
          tags,
          security,
          summary:
            'Upload an image dataset: a zip (Content-Type: application/zip) of one folder per class of PNG or JPEG files',
          description: `Each image is decoded, resized to height x width (grey or RGB) and stored as a row of pixels with its folder as \`label\`. At most ${MAX_UPLOAD_BYTES} bytes (413); at most ${IMAGE_ZIP_LIMITS.maxFiles} images, each inflating to at most ${IMAGE_ZIP_LIMITS.maxFileBytes} bytes and ${IMAGE_ZIP_LIMITS.maxPixels} pixels; entry names that leave their folder are refused (400).`,
          querystring: ImageUploadQuery,
          response: { 201: UploadedDatasetDetail },
        },
      },
      async (request, reply) => {
        const zip = readBytes(request.body, 'the zip as the body with Content-Type: application/zip')
        const { name, height = 28, width = 28, channels = 1 } = request.query
        return reply
          .status(201)
          .send(await uploadImageZip(deps, readPrincipal(request), name, zip, { height, width, channels }))
      },
    )
  })
}
