import { Type } from 'typebox'
import type { Guards } from '../../platform/http/http-auth.js'
import { principalOf } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { LoginBody, Me, PatchMeBody, RefreshBody, RegisterBody, Session, Tokens, User } from './auth.schema.js'
import * as auth from './auth.service.js'

const tags = ['auth']
const security = [{ bearer: [] }]

export function registerAuthHttp(app: HttpServer, deps: auth.AuthDeps, guards: Guards): void {
  app.post(
    '/v1/auth/register',
    { schema: { tags, summary: 'Create an account and log in', body: RegisterBody, response: { 201: Session } } },
    async (request, reply) => reply.status(201).send(await auth.register(deps, request.body)),
  )
  app.post(
    '/v1/auth/login',
    { schema: { tags, summary: 'Log in with email and password', body: LoginBody, response: { 200: Session } } },
    async (request) => auth.login(deps, request.body, request.ip),
  )
  app.post(
    '/v1/auth/refresh',
    { schema: { tags, summary: 'Exchange a refresh token for new tokens (rotating)', body: RefreshBody, response: { 200: Tokens } } },
    async (request) => auth.refresh(deps, request.body.refreshToken),
  )
  app.post(
    '/v1/auth/logout',
    { onRequest: guards.person, schema: { tags, security, summary: 'Revoke this login session', response: { 204: Type.Null() } } },
    async (request, reply) => {
      await auth.logout(deps, principalOf(request))
      return reply.status(204).send(null)
    },
  )
  app.get(
    '/v1/me',
    { onRequest: guards.anyone, schema: { tags, security, summary: 'The account (and device) behind the credential', response: { 200: Me } } },
    async (request) => {
      const principal = principalOf(request)
      return { user: await auth.getUser(deps.db, principal.userId), device: principal.deviceId ? { id: principal.deviceId } : null }
    },
  )
  app.patch(
    '/v1/me',
    { onRequest: guards.person, schema: { tags, security, summary: 'Update profile and settings', body: PatchMeBody, response: { 200: User } } },
    async (request) => auth.updateMe(deps.db, principalOf(request), request.body),
  )
}
