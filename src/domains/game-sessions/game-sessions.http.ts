import { Type } from 'typebox'
import { type Guard, type Guards, readPrincipal } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import {
  CreateGameSessionBody,
  GameProgress,
  GameSession,
  ListQuery,
  ProgressParams,
  ProgressQuery,
  SessionPage,
  SessionParams,
} from './game-sessions.schema.js'
import {
  createSession,
  deleteGameSession,
  type GameSessionDeps,
  gameProgress,
  getSession,
  listGameSessions,
} from './game-sessions.service.js'

const tags = ['game-sessions']
const security: Record<string, string[]>[] = [{ bearer: [] }, { deviceKey: [] }]

function registerUpload(
  scope: HttpServer,
  deps: GameSessionDeps,
  anyone: { onRequest: Guard },
  maxBytes: number,
): void {
  scope.post(
    '/v1/game-sessions',
    {
      ...anyone,
      bodyLimit: maxBytes,
      schema: {
        tags,
        security,
        summary: 'Upload a finished game: score and sensor data',
        description:
          'Answers 202 once the session, its data and its processing event are committed; the analysis follows (Socket.IO `session-processed`, or poll the session). A retry with the same `id` answers 200 with the stored session.',
        body: CreateGameSessionBody,
        response: { 200: GameSession, 202: GameSession },
      },
    },
    async (request, reply) => {
      const { session, isNew } = await createSession(deps, readPrincipal(request), request.body)
      reply.header('location', `/v1/game-sessions/${session.id}`)
      return reply.status(isNew ? 202 : 200).send(session)
    },
  )
}

export function registerGameSessionsHttp(
  app: HttpServer,
  deps: GameSessionDeps,
  guards: Guards,
  maxBytes: number,
): void {
  const anyone = { onRequest: guards.anyone }
  registerUpload(app, deps, anyone, maxBytes)

  app.get(
    '/v1/game-sessions',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'My game sessions, newest first',
        querystring: ListQuery,
        response: { 200: SessionPage },
      },
    },
    async (request) => listGameSessions(deps, readPrincipal(request), request.query),
  )

  app.get(
    '/v1/game-sessions/:id',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'One session: its state and, once processed, its analysis',
        params: SessionParams,
        response: { 200: GameSession },
      },
    },
    async (request) => getSession(deps, readPrincipal(request), request.params.id),
  )

  app.delete(
    '/v1/game-sessions/:id',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'Delete a session with its sensor data and analysis',
        params: SessionParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteGameSession(deps, readPrincipal(request), request.params.id)
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/v1/progress/games/:game',
    {
      ...anyone,
      schema: {
        tags,
        security,
        summary: 'My trend in one game over its processed sessions',
        params: ProgressParams,
        querystring: ProgressQuery,
        response: { 200: GameProgress },
      },
    },
    async (request) => gameProgress(deps, readPrincipal(request), request.params.game, request.query.limit),
  )
}
