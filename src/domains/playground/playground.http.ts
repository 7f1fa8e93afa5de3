import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import { type Guards, readPrincipal } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { ClientLogBody, type ClientLogs } from './client-logs.js'
import {
  BuiltinDatasetDetail,
  BuiltinDatasetList,
  BuiltinParams,
  CreateRunBody,
  ModelParams,
  PredictBody,
  PredictResult,
  Run,
  RunList,
  RunParams,
} from './playground.schema.js'
import { MAILS_PER_HOUR, type PlaygroundMailDeps, SendMailBody, sendUserMail } from './playground-mail.js'
import * as playground from './playground.service.js'
import { AnswerBody, AnswerResult, getProgress, Progress, recordAnswer } from './progress.service.js'
import { resultsCsv } from './results.js'

const tags = ['playground']
const security = [{ bearer: [] }]
const ListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) },
  { additionalProperties: false },
)
const PREDICT_BODY_LIMIT = 16 * 1024 * 1024

function registerDatasetRoutes(app: HttpServer, person: { onRequest: Guards['person'] }): void {
  app.get(
    '/v1/playground/datasets',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'The built-in datasets: columns, types, rows',
        response: { 200: BuiltinDatasetList },
      },
    },
    async () => ({
      datasets: (await playground.listBuiltinDatasets()).map(({ table: _table, ...rest }) => rest),
    }),
  )
  app.get(
    '/v1/playground/datasets/:name',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'A built-in dataset with its first rows',
        params: BuiltinParams,
        response: { 200: BuiltinDatasetDetail },
      },
    },
    async (request) => playground.getBuiltinDataset(request.params.name),
  )
}

function registerRunRoutes(
  app: HttpServer,
  deps: playground.PlaygroundDeps,
  person: { onRequest: Guards['person'] },
): void {
  app.post(
    '/v1/playground/runs',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'Train a model you describe on a dataset',
        description:
          'A training job of kind `playground`: queued (202), then run on a training thread; progress as Socket.IO `training` events on `/v1` (per epoch: loss, accuracy, percent). 400 when the model does not fit the data; 409 past the per-user limit of runs queued or running (PULSEBASE_PLAYGROUND_MAX_ACTIVE_RUNS).',
        body: CreateRunBody,
        response: { 202: Run },
      },
    },
    async (request, reply) => {
      const owner = readPrincipal(request)
      const body = request.body
      const run = await playground.createRun(deps, owner, playground.toTrainingRequest(body), {
        name: body.name ?? `${'builtin' in body.dataset ? body.dataset.builtin : 'upload'} ${body.model.kind}`,
        dataSource: body.model.kind === 'classical' ? 'CLASSICAL_ML' : 'TABULAR',
        notifyEmail: await playground.resolveNotifyEmail(deps, owner, body.notifyByEmail),
      })
      return reply.status(202).send(run)
    },
  )
  app.get(
    '/v1/playground/runs',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'Your runs, newest first',
        querystring: ListQuery,
        response: { 200: RunList },
      },
    },
    async (request) => ({
      runs: await playground.listRuns(deps, readPrincipal(request).userId, request.query.limit ?? 20),
    }),
  )
  app.get(
    '/v1/playground/runs/:id',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'A run: its job, per-epoch progress and, once it succeeded, its results',
        params: RunParams,
        response: { 200: Run },
      },
    },
    async (request) => playground.getRun(deps, readPrincipal(request).userId, request.params.id),
  )
  app.get(
    '/v1/playground/runs/:id/results.csv',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: "A finished run's per-epoch results as CSV (the seed's dl_results.csv columns)",
        params: RunParams,
        produces: ['text/csv'],
        response: { 200: Type.String() },
      },
    },
    async (request, reply) => {
      const run = await playground.getRun(deps, readPrincipal(request).userId, request.params.id)
      if (run.results === null) throw new AppError('not_found', `Run ${run.id} has no results (it is ${run.job.state})`)
      return reply.type('text/csv; charset=utf-8').send(resultsCsv(run.results))
    },
  )
}

function registerModelRoutes(
  app: HttpServer,
  deps: playground.PlaygroundDeps,
  person: { onRequest: Guards['person'] },
): void {
  app.get(
    '/v1/playground/models/:id/model.json',
    {
      ...person,
      schema: {
        tags,
        security,
        summary:
          'A trained network in the TensorFlow.js layers format (tf.loadLayersModel reads it; weights.bin beside it)',
        params: ModelParams,
        response: { 200: Type.Record(Type.String(), Type.Unknown()) },
      },
    },
    async (request) => playground.tfjsModelJson(deps, readPrincipal(request), request.params.id),
  )
  app.get(
    '/v1/playground/models/:id/weights.bin',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: "A trained network's weights (float32, in model.json's manifest order)",
        params: ModelParams,
        produces: ['application/octet-stream'],
        response: { 200: Type.Unknown() },
      },
    },
    async (request, reply) =>
      reply
        .type('application/octet-stream')
        .send(await playground.modelFile(deps, readPrincipal(request), request.params.id, 'weights.bin')),
  )
  app.get(
    '/v1/playground/models/:id/classical.json',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'A trained classical model as its ml.js JSON',
        params: ModelParams,
        response: { 200: Type.Record(Type.String(), Type.Unknown()) },
      },
    },
    async (request) =>
      JSON.parse(
        (await playground.modelFile(deps, readPrincipal(request), request.params.id, 'classical.json')).toString(
          'utf8',
        ),
      ) as Record<string, unknown>,
  )
  app.post(
    '/v1/playground/models/:id/predict',
    {
      ...person,
      bodyLimit: PREDICT_BODY_LIMIT,
      schema: {
        tags,
        security,
        summary: 'Predict with a trained model (rows of feature values in its feature order)',
        description: 'Runs on the ML inference thread; 429 when it is busy.',
        params: ModelParams,
        body: PredictBody,
        response: { 200: PredictResult },
      },
    },
    async (request) => playground.predict(deps, readPrincipal(request), request.params.id, request.body.rows),
  )
}

export function registerPlaygroundHttp(
  app: HttpServer,
  deps: playground.PlaygroundDeps,
  extra: { logs: ClientLogs; mail: PlaygroundMailDeps },
  guards: Guards,
): void {
  const { logs, mail } = extra
  const person = { onRequest: guards.person }
  registerDatasetRoutes(app, person)
  registerRunRoutes(app, deps, person)
  registerModelRoutes(app, deps, person)
  app.get(
    '/v1/playground/progress',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'Your learning progress: points per question, section and module',
        response: { 200: Progress },
      },
    },
    async (request) => getProgress(deps.training.db, readPrincipal(request)),
  )
  app.post(
    '/v1/playground/progress',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'Record an answered question (10 points the first time, nothing on a repeat)',
        body: AnswerBody,
        response: { 200: AnswerResult },
      },
    },
    async (request) => recordAnswer(deps.training.db, readPrincipal(request), request.body, deps.training.now()),
  )
  app.post(
    '/v1/playground/mail',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: "E-mail yourself (or an allow-listed address), optionally with one of your runs' results attached",
        description: `To your account's address or one on PULSEBASE_PLAYGROUND_MAIL_ALLOWLIST (else 403); at most ${MAILS_PER_HOUR} an hour (429).`,
        body: SendMailBody,
        response: { 200: Type.Object({ to: Type.String() }) },
      },
    },
    async (request) => sendUserMail(mail, readPrincipal(request), request.body),
  )
  app.post(
    '/v1/playground/logs',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'A log line from your app, kept in the server log tagged with your user (size- and rate-limited)',
        body: ClientLogBody,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await logs.record(readPrincipal(request), request.body)
      return reply.status(204).send(null)
    },
  )
}
