import { Type } from 'typebox'
import { TrainingJob } from '../ml/ml.schema.js'
import { ListQuery, Model, ModelList } from '../ml/ml.schema.js'
import { type Guards, readPrincipal } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { TrainClassifierBody } from './classifier.js'
import { DatasetParams } from './datasets.schema.js'
import type { LiveClassifiers } from './live.service.js'
import {
  LiveClassifier,
  LiveClassifierBody,
  LiveClassifierList,
  LiveParams,
  ModelParams,
  PredictBody,
  PredictResult,
} from './sensor-models.schema.js'
import {
  getSensorModel,
  listSensorModels,
  predictFrames,
  type SensorModelsDeps,
  trainOnDataset,
} from './sensor-models.service.js'

const tags = ['sensor models']
const security: Record<string, string[]>[] = [{ bearer: [] }, { deviceKey: [] }]
const PREDICT_BODY_LIMIT = 32 * 1024 * 1024

/** The sensor classifier routes: training on a dataset, the models and their predictions, and live classifiers. */
export function registerSensorModelsHttp(
  app: HttpServer,
  deps: SensorModelsDeps,
  live: LiveClassifiers,
  guards: Guards,
): void {
  registerModelRoutes(app, deps, guards)
  registerLiveClassifierRoutes(app, live, guards)
}

/** Train on a dataset (people), list and read models, classify frames (people and devices). */
function registerModelRoutes(app: HttpServer, deps: SensorModelsDeps, guards: Guards): void {
  const person = { onRequest: guards.person }
  const anyone = { onRequest: guards.anyone }
  app.post(
    '/v1/sensor-datasets/:id/train',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'Queue the training of a sensor classifier on the dataset',
        description:
          'A training job of kind `sensor-classifier` (progress as Socket.IO `training` events, `GET /v1/training-jobs/:id`). 400 when the dataset has fewer than 2 labels with 2 frames each; 409 while another sensor classifier of yours is training.',
        params: DatasetParams,
        body: TrainClassifierBody,
        response: { 202: TrainingJob },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await trainOnDataset(deps, readPrincipal(request), request.params.id, request.body ?? {})),
  )
  app.get(
    '/v1/sensor-models',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Your sensor classifiers, newest first, with held-out metrics',
        querystring: ListQuery,
        response: { 200: ModelList },
      },
    },
    async (request) =>
      listSensorModels(deps, readPrincipal(request), {
        limit: request.query.limit ?? 20,
        cursor: request.query.cursor,
      }),
  )
  app.get(
    '/v1/sensor-models/:id',
    { ...anyone, schema: { tags, security, params: ModelParams, response: { 200: Model } } },
    async (request) => getSensorModel(deps, readPrincipal(request), request.params.id),
  )
  app.post(
    '/v1/sensor-models/:id/predict',
    {
      ...anyone,
      bodyLimit: PREDICT_BODY_LIMIT,
      schema: {
        tags,
        security,
        summary: 'Classify one or many frames (labels and probabilities)',
        description: 'Runs on the ML inference thread; 429 when it is already busy with more than it can take.',
        params: ModelParams,
        body: PredictBody,
        response: { 200: PredictResult },
      },
    },
    async (request) => predictFrames(deps, readPrincipal(request), request.params.id, request.body),
  )
}

/** A device's incoming frames of a kind classified live by a model: assign, list, read, remove (people only). */
function registerLiveClassifierRoutes(app: HttpServer, live: LiveClassifiers, guards: Guards): void {
  const person = { onRequest: guards.person }
  app.put(
    '/v1/live-classifiers/:deviceId/:kind',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: "Classify a device's incoming frames of a kind with a model, live",
        description: 'Predictions arrive as Socket.IO `sensor-prediction` events; the latest is kept here.',
        params: LiveParams,
        body: LiveClassifierBody,
        response: { 200: LiveClassifier },
      },
    },
    async (request) =>
      live.assign(readPrincipal(request), request.params.deviceId, request.params.kind, request.body.modelId),
  )
  app.get(
    '/v1/live-classifiers',
    {
      ...person,
      schema: {
        tags,
        security,
        summary: 'Your live classifiers and their latest predictions',
        response: { 200: LiveClassifierList },
      },
    },
    async (request) => ({
      liveClassifiers: await live.list(readPrincipal(request)),
    }),
  )
  app.get(
    '/v1/live-classifiers/:deviceId/:kind',
    { ...person, schema: { tags, security, params: LiveParams, response: { 200: LiveClassifier } } },
    async (request) => live.get(readPrincipal(request), request.params.deviceId, request.params.kind),
  )
  app.delete(
    '/v1/live-classifiers/:deviceId/:kind',
    { ...person, schema: { tags, security, params: LiveParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await live.remove(readPrincipal(request), request.params.deviceId, request.params.kind)
      return reply.status(204).send(null)
    },
  )
}
