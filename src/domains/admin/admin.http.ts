import type { Kysely } from 'kysely'
import { AppError } from '../../errors.js'
import { Type } from 'typebox'
import type { Database } from '../../platform/db/schema.js'
import type { Guards } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { JOB_NAMES } from '../../jobs.js'
import { DeadJob, QueueDepth, type QueuePort } from '../../platform/queue/queue.port.js'
import { CreateUserBody, PatchUserBody, User } from '../auth/auth.schema.js'
import * as auth from '../auth/auth.service.js'
import { LogLevel } from './log-level.js'
import type { Clock } from '../../platform/time/clock.js'

const tags = ['admin']
const security = [{ bearer: [] }]
const Page = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
})
const UserParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
const LogLevelBody = Type.Object({ level: LogLevel }, { additionalProperties: false })
const VersionInfo = Type.Object({ version: Type.String(), node: Type.String() })
const QueueParams = Type.Object({ queue: Type.String({ pattern: '^[a-z0-9._-]{1,100}$' }) })
const DeadJobParams = Type.Object({
  queue: QueueParams.properties.queue,
  id: Type.String({ minLength: 1, maxLength: 64 }),
})

/** The queue name as declared (src/jobs.ts); `not_found` for any other. */
function knownQueue(name: string): string {
  if (!(JOB_NAMES as readonly string[]).includes(name))
    throw new AppError('not_found', `No queue ${name}: the queues are ${JOB_NAMES.join(', ')}`)
  return name
}

export interface AdminDeps {
  readonly db: Kysely<Database>
  readonly queue: QueuePort
  readonly guards: Guards
  /** Sets the log level of this process and, through pub/sub, of every other one. */
  readonly setLogLevel: (level: string) => Promise<void>
  readonly version: string
  /** The platform's clock (epoch ms). */
  readonly now: Clock
}

/** Routes for operators; every one needs a person's token with the admin role. */
export function registerAdminHttp(app: HttpServer, deps: AdminDeps): void {
  registerUserRoutes(app, deps)
  registerQueueRoutes(app, deps)
  registerProcessRoutes(app, deps)
}

/** Accounts: list, create (also when registration is closed), change a role. */
function registerUserRoutes(app: HttpServer, deps: AdminDeps): void {
  const common = { onRequest: deps.guards.admin }
  app.get(
    '/v1/admin/users',
    {
      ...common,
      schema: { tags, security, querystring: Page, response: { 200: Type.Object({ users: Type.Array(User) }) } },
    },
    async (request) => ({ users: await auth.listAllUsers(deps.db, request.query) }),
  )
  app.post(
    '/v1/admin/users',
    {
      ...common,
      schema: {
        tags,
        security,
        summary: 'Create an account (also when registration is closed)',
        body: CreateUserBody,
        response: { 201: User },
      },
    },
    async (request, reply) => reply.status(201).send(await auth.createUser(deps, request.body)),
  )
  app.patch(
    '/v1/admin/users/:id',
    {
      ...common,
      schema: {
        tags,
        security,
        summary: "Change a user's role",
        params: UserParams,
        body: PatchUserBody,
        response: { 200: User },
      },
    },
    async (request) => auth.setRole(deps, request.params.id, request.body.role),
  )
}

/** Job queues: depths, dead letters, and retrying or discarding one dead letter. */
function registerQueueRoutes(app: HttpServer, deps: AdminDeps): void {
  const { queue } = deps
  const common = { onRequest: deps.guards.admin }
  app.get(
    '/v1/admin/queues',
    {
      ...common,
      schema: {
        tags,
        security,
        summary: "Every job queue's depth: jobs waiting for a worker and dead-lettered",
        response: { 200: Type.Object({ queues: Type.Array(QueueDepth) }) },
      },
    },
    async () => ({ queues: await Promise.all(JOB_NAMES.map((name) => queue.depth(name))) }),
  )
  app.get(
    '/v1/admin/queues/:queue/dead',
    {
      ...common,
      schema: {
        tags,
        security,
        summary: 'Jobs that used up their attempts',
        params: QueueParams,
        response: { 200: Type.Object({ jobs: Type.Array(DeadJob) }) },
      },
    },
    async (request) => ({ jobs: await queue.deadLetters(knownQueue(request.params.queue)) }),
  )
  /** Retries or discards one dead letter: 204, or `not_found` when the queue holds no such dead job. */
  const settle = async (params: { queue: string; id: string }, action: 'retry' | 'discard') => {
    if (!(await queue.settleDead(knownQueue(params.queue), params.id, action)))
      throw new AppError('not_found', `No dead job ${params.id} in ${params.queue}`)
  }
  app.post(
    '/v1/admin/queues/:queue/dead/:id/retry',
    {
      ...common,
      schema: {
        tags,
        security,
        summary: 'Run a dead-lettered job again, with a fresh set of attempts',
        params: DeadJobParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await settle(request.params, 'retry')
      return reply.status(204).send(null)
    },
  )
  app.delete(
    '/v1/admin/queues/:queue/dead/:id',
    {
      ...common,
      schema: {
        tags,
        security,
        summary: 'Discard a dead-lettered job',
        params: DeadJobParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await settle(request.params, 'discard')
      return reply.status(204).send(null)
    },
  )
}

/** This process and its peers: the running log level and the version. */
function registerProcessRoutes(app: HttpServer, deps: AdminDeps): void {
  const common = { onRequest: deps.guards.admin }
  app.put(
    '/v1/admin/log-level',
    {
      ...common,
      schema: {
        tags,
        security,
        summary: 'Change the running log level of every process (through pub/sub)',
        body: LogLevelBody,
        response: { 200: LogLevelBody },
      },
    },
    async (request) => {
      await deps.setLogLevel(request.body.level)
      return { level: request.body.level }
    },
  )
  app.get(
    '/v1/version',
    { ...common, schema: { tags, security, summary: 'The running version', response: { 200: VersionInfo } } },
    async () => ({ version: deps.version, node: process.version }),
  )
}
