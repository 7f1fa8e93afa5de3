import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Authenticate } from '../../platform/auth/principal.js'
import { AppError, HTTP_STATUS } from '../../errors.js'
import { readPrincipal } from '../../platform/http/http-auth.js'
import { toAppError } from '../../platform/http/http-errors.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { M2mError, M2mProfile, M2mProfileBody } from './m2m.schema.js'
import * as profiles from '../../domains/profiles/profiles.service.js'

// The seed's strings: its client may match on them (the trailing semicolon included).
const MISSING_TOKEN = 'Unauthorized!'
const BAD_TOKEN = 'Unable to authorize token;'
const TODOS = [{ todo: 'pet the cat' }, { todo: 'feed fish' }, { todo: 'walk dog' }, { todo: 'yeet dab' }]
// What Express sends for `res.send('<string>')`.
const EXPRESS_TEXT = 'text/html; charset=utf-8'

const tags = ['compat: m2m']
const security = [{ bearer: [] }]
const errors = { 400: M2mError, 401: M2mError }
const TodoList = Type.Array(Type.Object({ todo: Type.String() }))

/** The seed sends the token as the whole header; `Bearer <token>` works too. */
function tokenFrom(header: string | undefined): string | undefined {
  const value = header?.trim()
  if (!value) return undefined
  return /^Bearer\s+(\S+)$/i.exec(value)?.[1] ?? value
}

/** The seed's auth middleware on pulsebase access tokens; device keys are not people and are refused. */
function seedAuth(authenticate: Authenticate) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = tokenFrom(request.headers.authorization)
    if (token === undefined) throw new AppError('unauthenticated', MISSING_TOKEN)
    const principal = await authenticate(token).catch((error: unknown) => {
      throw error instanceof AppError && error.code === 'unauthenticated'
        ? new AppError('unauthenticated', BAD_TOKEN)
        : error
    })
    if (principal.deviceId !== null) throw new AppError('unauthenticated', BAD_TOKEN)
    request.principal = principal
  }
}

/** The profile domain's conflicts, told in the seed's routes: which of `POST /user` and `PUT /user` to use instead. */
const SEED_WORDS: Partial<Record<string, string>> = {
  conflict: 'You already have a profile; PUT /user replaces it',
  not_found: 'You have no profile yet; POST /user creates it',
}

async function inSeedWords<T>(result: Promise<T>): Promise<T> {
  try {
    return await result
  } catch (error) {
    const words = error instanceof AppError ? SEED_WORDS[error.code] : undefined
    throw words === undefined ? error : new AppError((error as AppError).code, words)
  }
}

/** The seed's error body, `{"error": "<message>"}`, with pulsebase's statuses; unknown errors say only "Internal server error". */
function handleSeedError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const appError = toAppError(error)
  if (appError.code === 'internal') request.log.error({ err: error }, 'request failed')
  if (appError.retryAfterSeconds !== undefined) reply.header('retry-after', String(appError.retryAfterSeconds))
  return reply.status(HTTP_STATUS[appError.code]).send({ error: appError.message })
}

/**
 * The m2m seed gateway's routes (`GET /test`, `GET /test/private`, `/user` CRUD) for its client.
 * Registered in their own scope so that only they answer with the seed's error body.
 */
export async function registerM2mCompatHttp(
  app: HttpServer,
  deps: profiles.ProfilesDeps,
  authenticate: Authenticate,
): Promise<void> {
  await app.register(async (scope: HttpServer) => {
    scope.setErrorHandler(handleSeedError)
    const auth = { onRequest: seedAuth(authenticate) }
    registerTestRoutes(scope, auth)
    registerProfileRoutes(scope, deps, auth)
  })
}

/** `GET /test` (public) and `GET /test/private` (a valid token). */
function registerTestRoutes(scope: HttpServer, auth: { onRequest: ReturnType<typeof seedAuth> }): void {
  // Express routers mounted at /test and /user answer with and without the trailing slash.
  for (const path of ['/test', '/test/']) {
    scope.get(
      path,
      {
        schema: {
          hide: path.endsWith('/'),
          tags,
          summary: "The seed's public test list",
          response: { 200: TodoList },
        },
      },
      async () => TODOS,
    )
  }
  scope.get(
    '/test/private',
    { ...auth, schema: { tags, security, summary: 'Answers the text `Private!` to a valid token' } },
    async (_request, reply) => reply.type(EXPRESS_TEXT).send('Private!'),
  )
}

/** `/user` CRUD on the caller's own m2m profile, with and without the trailing slash. */
function registerProfileRoutes(
  scope: HttpServer,
  deps: profiles.ProfilesDeps,
  auth: { onRequest: ReturnType<typeof seedAuth> },
): void {
  const { db } = deps
  const readUserId = (request: FastifyRequest) => readPrincipal(request).userId
  for (const path of ['/user', '/user/']) {
    // Every /user route: the seed's auth, its tags and security, the trailing-slash twin hidden.
    const options = <S extends object>(schema: S) => ({
      ...auth,
      schema: { hide: path.endsWith('/'), tags, security, ...schema },
    })
    scope.get(
      path,
      options({
        summary: 'Your m2m profile, or null before you create one',
        response: { 200: Type.Union([M2mProfile, Type.Null()]), ...errors },
      }),
      async (request) => profiles.readProfile(db, readUserId(request)),
    )
    scope.post(
      path,
      options({
        summary: 'Create your m2m profile',
        body: M2mProfileBody,
        response: { 201: M2mProfile, ...errors, 409: M2mError },
      }),
      async (request, reply) =>
        reply.status(201).send(await inSeedWords(profiles.createProfile(deps, readUserId(request), request.body))),
    )
    scope.put(
      path,
      options({
        summary: 'Replace your m2m profile',
        body: M2mProfileBody,
        response: { 200: M2mProfile, ...errors, 404: M2mError },
      }),
      async (request) => inSeedWords(profiles.replaceProfile(deps, readUserId(request), request.body)),
    )
    scope.delete(
      path,
      options({
        summary: 'Delete your m2m profile (not your account)',
        response: { 204: Type.Null(), ...errors },
      }),
      async (request, reply) => {
        await profiles.deleteProfile(db, readUserId(request))
        return reply.status(204).send(null)
      },
    )
  }
}
