import { Type } from 'typebox'
import { type Guards, readPrincipal } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import type { PeriodObservation } from './meditation.features.js'
import {
  CreateSessionBody,
  Recommendation,
  RecommendationBody,
  Session,
  SessionList,
  SessionParams,
  SessionsQuery,
} from './meditation.schema.js'
import {
  deleteSession,
  getSession,
  toObservation,
  pageSessions,
  recordSession,
  type SessionStoreDeps,
} from './meditation.service.js'
import { recommend, type RecommenderDeps } from './recommender.js'
import { checkPeriods } from './session-checks.js'

const tags = ['meditation']
const security: Record<string, string[]>[] = [{ bearer: [] }, { deviceKey: [] }]

export function registerMeditationHttp(
  app: HttpServer,
  store: SessionStoreDeps,
  recommender: RecommenderDeps,
  guards: Guards,
): void {
  const anyone = { onRequest: guards.anyone }
  app.post(
    '/v1/meditation/sessions',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Store a session with its periods and heart-rate measurements',
        body: CreateSessionBody,
        response: { 201: Session },
      },
    },
    async (request, reply) => reply.status(201).send(await recordSession(store, readPrincipal(request), request.body)),
  )
  app.get(
    '/v1/meditation/sessions',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Sessions, newest first',
        querystring: SessionsQuery,
        response: { 200: SessionList },
      },
    },
    async (request) =>
      pageSessions(store, readPrincipal(request).userId, {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor,
        deviceId: request.query.deviceId,
      }),
  )
  app.get(
    '/v1/meditation/sessions/:id',
    { ...anyone, schema: { tags, security, params: SessionParams, response: { 200: Session } } },
    async (request) => getSession(store, readPrincipal(request).userId, request.params.id),
  )
  app.delete(
    '/v1/meditation/sessions/:id',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Delete a session, its periods and its heart-rate samples',
        params: SessionParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteSession(store, readPrincipal(request).userId, request.params.id)
      return reply.status(204).send(null)
    },
  )
  app.post(
    '/v1/recommendations/meditation',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'The next period configuration with the lowest predicted heart rate',
        description:
          'Scores the candidate configurations in one batched prediction of the latest meditation model. 404 when no model has been trained yet.',
        body: RecommendationBody,
        response: { 200: Recommendation },
      },
    },
    async (request) => {
      const owner = readPrincipal(request)
      const periods = request.body.recentPeriods ?? []
      await checkPeriods(store, owner, periods, 'body.recentPeriods')
      const recent = periods.map(toObservation).filter((p): p is PeriodObservation => p !== null)
      return recommend(recommender, owner.userId, recent)
    },
  )
}
