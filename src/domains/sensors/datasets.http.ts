import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import { type Guards, readPrincipal } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import {
  CreateDatasetBody,
  Dataset,
  DatasetList,
  DatasetListQuery,
  DatasetParams,
  ImportQuery,
  ImportResult,
  QualityReport,
  Recording,
  RecordingParams,
  StartRecordingBody,
} from './datasets.schema.js'
import * as datasets from './datasets.service.js'

const tags = ['sensor datasets']
const security = [{ bearer: [] }]
const CSV_BODY_LIMIT = 256 * 1024 * 1024

/** The sensor dataset routes under /v1/sensor-datasets (people only): datasets, recordings, quality and CSV import. */
export async function registerDatasetsHttp(
  app: HttpServer,
  deps: datasets.DatasetsDeps,
  guards: Guards,
): Promise<void> {
  registerDatasetRoutes(app, deps, guards)
  registerRecordingRoutes(app, deps, guards)
  await registerImportRoute(app, deps, guards)
}

/** Create, list, read, delete a dataset, and its quality report. */
function registerDatasetRoutes(app: HttpServer, deps: datasets.DatasetsDeps, guards: Guards): void {
  const person = { onRequest: guards.person }
  app.post(
    '/v1/sensor-datasets',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'Create an empty labelled dataset',
        body: CreateDatasetBody,
        response: { 201: Dataset },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await datasets.createDataset(deps, readPrincipal(request), request.body.name)),
  )
  app.get(
    '/v1/sensor-datasets',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'Your datasets, newest first',
        querystring: DatasetListQuery,
        response: { 200: DatasetList },
      },
    },
    async (request) => ({
      datasets: await datasets.listDatasets(deps, readPrincipal(request), request.query.limit ?? 50),
    }),
  )
  app.get(
    '/v1/sensor-datasets/:id',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'A dataset: its layout, frames per label and recordings',
        params: DatasetParams,
        response: { 200: Dataset },
      },
    },
    async (request) => datasets.getDataset(deps, readPrincipal(request), request.params.id),
  )
  app.delete(
    '/v1/sensor-datasets/:id',
    { ...person, schema: { tags, security, params: DatasetParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await datasets.deleteDataset(deps, readPrincipal(request), request.params.id)
      return reply.status(204).send(null)
    },
  )
  app.get(
    '/v1/sensor-datasets/:id/quality',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'Is the dataset usable? Per-label statistics, separability and a cross-validated baseline',
        params: DatasetParams,
        response: { 200: QualityReport },
      },
    },
    async (request) => datasets.qualityReport(deps, readPrincipal(request), request.params.id),
  )
}

/** Start and stop labelling a device's incoming frames into a dataset. */
function registerRecordingRoutes(app: HttpServer, deps: datasets.DatasetsDeps, guards: Guards): void {
  const person = { onRequest: guards.person }
  app.post(
    '/v1/sensor-datasets/:id/recordings',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: "Start labelling a device's incoming frames into the dataset",
        description:
          'Every new frame of that device and kind, arriving at any API process until the stop, joins the dataset with the label. One recording per device and kind at a time (409).',
        params: DatasetParams,
        body: StartRecordingBody,
        response: { 201: Recording },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await datasets.startRecording(deps, readPrincipal(request), request.params.id, request.body)),
  )
  app.post(
    '/v1/sensor-datasets/:id/recordings/:recordingId/stop',
    {
      ...person,
      schema: { tags, security, summary: 'Stop a recording', params: RecordingParams, response: { 200: Recording } },
    },
    async (request) =>
      datasets.stopRecording(deps, readPrincipal(request), request.params.id, request.params.recordingId),
  )
}

/** `POST …/:id/import`: labelled frames from a CSV body, with a CSV parser for this route only. */
async function registerImportRoute(app: HttpServer, deps: datasets.DatasetsDeps, guards: Guards): Promise<void> {
  const person = { onRequest: guards.person }
  // The CSV parser applies to this route only (an encapsulated scope).
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>()
    scope.addContentTypeParser(
      ['text/csv', 'text/plain'],
      { parseAs: 'string', bodyLimit: CSV_BODY_LIMIT },
      (_request, text, done) => done(null, text),
    )
    scope.post(
      '/v1/sensor-datasets/:id/import',
      {
        ...person,
        bodyLimit: CSV_BODY_LIMIT,
        schema: {
          tags,
          security,
          summary: 'Import labelled frames from CSV (Content-Type: text/csv)',
          description:
            "The CSI seed's layout `Label,CH6_mag…CH58_mag,CH6_phase…CH58_phase` or a generic `label,f1,…,fn`. Every row or none: a bad cell refuses the file with its line.",
          params: DatasetParams,
          querystring: ImportQuery,
          response: { 201: ImportResult },
        },
      },
      async (request, reply) => {
        if (typeof request.body !== 'string')
          throw new AppError('invalid_argument', 'Send the CSV as the body with Content-Type: text/csv')
        return reply
          .status(201)
          .send(
            await datasets.importCsv(
              deps,
              readPrincipal(request),
              request.params.id,
              request.body,
              request.query.format ?? 'auto',
            ),
          )
      },
    )
  })
}
