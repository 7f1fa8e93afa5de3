// The seed's file routes (CONTRACTS §5A, S3 and dataset groups) on the playground's uploads, which
// live on pulsebase's blob store, scoped by the token's user: `upload` takes a multipart `file`
// (a zip of one folder per class becomes an image dataset; a .csv a table), and the listing and
// column routes read the user's own uploads. Nothing is fetched from a URL and no code is run.
import type { MultipartFile } from '@fastify/multipart'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../../errors.js'
import { readPrincipal } from '../../platform/http/http-auth.js'
import type { PlaygroundModule } from '../../domains/playground/playground.module.js'
import { listUploads, uploadCsv, uploadImageZip } from '../../domains/playground/uploads.js'
import type { DlpBody } from './dlp.mapping.js'

/** The size image zips are decoded to when the seed's client uploads them (it sends no size). */
export const UPLOAD_IMAGE_SHAPE = { height: 28, width: 28, channels: 1 } as const

const invalid = (message: string) => new AppError('invalid_argument', message)

/** Stores the request's multipart `file`: `.zip` as an image dataset, `.csv` as a table; a 400 for anything else. */
export async function storeUploadedFile(playground: PlaygroundModule, request: FastifyRequest): Promise<void> {
  if (!request.isMultipart()) throw invalid('Send the file as multipart/form-data in the field "file"')
  let file: MultipartFile | undefined
  for await (const part of request.parts()) {
    if (part.type !== 'file') continue
    if (part.fieldname !== 'file' || file !== undefined) throw invalid('Send one file, in the field "file"')
    file = part
    const name = (part.filename.split(/[\\/]/).pop() ?? '').slice(0, 200) || 'upload'
    const bytes = await part.toBuffer()
    if (/\.zip$/i.test(name))
      await uploadImageZip(playground.uploads, readPrincipal(request), name, bytes, UPLOAD_IMAGE_SHAPE)
    else if (/\.csv$/i.test(name)) await uploadCsv(playground.uploads, readPrincipal(request), name, bytes)
    else throw invalid('Upload a .zip of one folder per class of images, or a .csv file')
  }
  if (file === undefined) throw invalid('Send the file as multipart/form-data in the field "file"')
}

/** The client's `data_source` (it sends it lower-cased): which of the user's uploads it means. */
function isOfSource(body: DlpBody, dataset: { image: unknown }): boolean {
  const source = String(body.data_source ?? '').toLowerCase()
  if (source === 'image') return dataset.image !== null
  if (source === 'tabular' || source === 'classical_ml') return dataset.image === null
  throw invalid('data_source must be tabular or image')
}

/** `getUserDatasetFilesData`: the user's uploads of that kind, as the seed's double-encoded `data`. */
export async function datasetFilesData(
  playground: PlaygroundModule,
  request: FastifyRequest,
  body: DlpBody,
): Promise<Record<string, unknown>> {
  const datasets = (await listUploads(playground.uploads, readPrincipal(request))).filter((d) => isOfSource(body, d))
  const data = datasets.map((d) => ({
    name: d.name,
    type: d.image === null ? 'csv' : 'zip',
    last_modified: d.createdAt,
    size: d.size,
  }))
  return { message: 'Get dataset files data success', data: JSON.stringify(data) }
}

/** `getColumnsFromDatasetFile`: the column names of the user's newest upload of that name, double-encoded. */
export async function datasetFileColumns(
  playground: PlaygroundModule,
  request: FastifyRequest,
  body: DlpBody,
): Promise<Record<string, unknown>> {
  if (typeof body.name !== 'string' || body.name === '') throw invalid('Missing parameter name')
  const found = (await listUploads(playground.uploads, readPrincipal(request))).find(
    (d) => d.name === body.name && isOfSource(body, d),
  )
  if (found === undefined)
    throw invalid(`You have no uploaded dataset named ${JSON.stringify(body.name.slice(0, 200))}`)
  return { message: 'Get columns success', columns: JSON.stringify(found.columns.map((c) => c.name)) }
}
