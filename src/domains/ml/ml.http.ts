import { type Guards, readPrincipal } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import {
  CreateTrainingJobBody,
  ListQuery,
  ModelList,
  TrainingJob,
  TrainingJobList,
  TrainingJobParams,
} from './ml.schema.js'
import {
  cancelTraining,
  getTrainingJob,
  listModels,
  listTrainingJobs,
  requestTraining,
  type TrainingDeps,
} from './training.service.js'

const tags = ['ml']
const security: Record<string, string[]>[] = [{ bearer: [] }, { deviceKey: [] }]

export function registerMlHttp(app: HttpServer, deps: TrainingDeps, guards: Guards): void {
  const anyone = { onRequest: guards.anyone }
  app.post(
    '/v1/training-jobs',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Queue the training of a new model version',
        description:
          'Answers 202 with the queued job, or 400 when there is not enough data yet. Progress arrives as Socket.IO `training` events.',
        body: CreateTrainingJobBody,
        response: { 202: TrainingJob },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await requestTraining(deps, readPrincipal(request).userId, request.body.kind)),
  )
  app.get(
    '/v1/training-jobs',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Training jobs, newest first',
        querystring: ListQuery,
        response: { 200: TrainingJobList },
      },
    },
    async (request) =>
      listTrainingJobs(deps, readPrincipal(request).userId, {
        limit: request.query.limit ?? 20,
        cursor: request.query.cursor,
      }),
  )
  app.get(
    '/v1/training-jobs/:id',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'A training job with its per-epoch progress',
        params: TrainingJobParams,
        response: { 200: TrainingJob },
      },
    },
    async (request) => getTrainingJob(deps, readPrincipal(request).userId, request.params.id),
  )
  app.post(
    '/v1/training-jobs/:id/cancel',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Cancel a queued job at once, or a running one after its current epoch',
        params: TrainingJobParams,
        response: { 200: TrainingJob },
      },
    },
    async (request) => cancelTraining(deps, readPrincipal(request).userId, request.params.id),
  )
  app.get(
    '/v1/models',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Trained model versions, newest first, with their held-out metrics',
        querystring: ListQuery,
        response: { 200: ModelList },
      },
    },
    async (request) =>
      listModels(deps, readPrincipal(request).userId, {
        limit: request.query.limit ?? 20,
        cursor: request.query.cursor,
      }),
  )
}
