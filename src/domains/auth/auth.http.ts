import cookie from '@fastify/cookie'
import type { HttpReply, HttpRequest } from '../../platform/http/http-server.js'
import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import type { Guards } from '../../platform/http/http-auth.js'
import { readPrincipal } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import {
  EmailBody,
  LoginBody,
  Me,
  PatchMeBody,
  RefreshBody,
  RegisterBody,
  Session,
  TokenBody,
  TokensReply,
  User,
  VerificationPending,
} from './auth.schema.js'
import { resendVerification, verifyEmail } from './email-verification.js'
import * as auth from './auth.service.js'
import {
  clearRefreshCookie,
  readRefreshCookie,
  SessionHeaders,
  toCookieSession,
  wantsRefreshCookie,
} from './refresh-cookie.http.js'

const tags = ['auth']
const security = [{ bearer: [] }]

/** The refresh token of a refresh request: from the cookie when asked for, else from the body. */
function readRefreshToken(request: HttpRequest<{ Body: { refreshToken?: string } }>): string {
  if (wantsRefreshCookie(request)) {
    const token = readRefreshCookie(request)
    if (token === undefined) throw new AppError('unauthenticated', 'No session cookie: sign in again')
    return token
  }
  const token = request.body.refreshToken
  if (token === undefined)
    throw new AppError('invalid_argument', 'refreshToken is required', [
      { path: 'body.refreshToken', message: 'is required' },
    ])
  return token
}

/** Answers the new tokens, moving the refresh token to the cookie when the client asked for that. */
function sendTokens<T extends { refreshToken: string }>(
  deps: auth.AuthDeps,
  request: HttpRequest,
  reply: HttpReply,
  tokens: T,
) {
  return wantsRefreshCookie(request) ? toCookieSession(request, reply, tokens, deps.refreshTokenTtlDays) : tokens
}

function registerSessionRoutes(app: HttpServer, deps: auth.AuthDeps, guards: Guards): void {
  const headers = SessionHeaders
  app.post(
    '/v1/auth/register',
    {
      schema: {
        tags,
        summary: 'Create an account and log in (202 without a session when the e-mail address must be verified first)',
        headers,
        body: RegisterBody,
        response: { 201: Session, 202: VerificationPending },
      },
    },
    async (request, reply) => {
      const registered = await auth.register(deps, request.body, request.ip)
      if ('verificationRequired' in registered) return reply.status(202).send(registered)
      return reply.status(201).send(sendTokens(deps, request, reply, registered))
    },
  )
  app.post(
    '/v1/auth/verify-email',
    {
      schema: {
        tags,
        summary: 'Confirm the e-mail address with the mailed token',
        body: TokenBody,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await verifyEmail(deps.db, request.body.token, deps.now())
      return reply.status(204).send(null)
    },
  )
  app.post(
    '/v1/auth/verify-email/resend',
    {
      schema: {
        tags,
        summary: 'Mail a new verification token (202 whether or not the address has an account)',
        body: EmailBody,
        response: { 202: Type.Null() },
      },
    },
    async (request, reply) => {
      if (deps.emailVerification !== undefined)
        await resendVerification(deps.db, deps.emailVerification, request.body.email, deps.now())
      return reply.status(202).send(null)
    },
  )
  app.post(
    '/v1/auth/login',
    {
      schema: { tags, summary: 'Log in with email and password', headers, body: LoginBody, response: { 200: Session } },
    },
    async (request, reply) => sendTokens(deps, request, reply, await auth.login(deps, request.body, request.ip)),
  )
  app.post(
    '/v1/auth/refresh',
    {
      schema: {
        tags,
        summary: 'Exchange a refresh token for new tokens (rotating)',
        description:
          'The refresh token comes from the body, or with `Pulsebase-Session: cookie` from the httpOnly refresh cookie (the body is then `{}`).',
        headers,
        body: RefreshBody,
        response: { 200: TokensReply },
      },
    },
    async (request, reply) => {
      try {
        return sendTokens(deps, request, reply, await auth.refresh(deps, readRefreshToken(request)))
      } catch (error) {
        if (wantsRefreshCookie(request)) clearRefreshCookie(request, reply) // a dead cookie is never offered again
        throw error
      }
    },
  )
  app.post(
    '/v1/auth/logout',
    {
      onRequest: guards.person,
      schema: {
        tags,
        security,
        summary: 'Revoke this login session (and clear the refresh cookie)',
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await auth.logout(deps, readPrincipal(request))
      clearRefreshCookie(request, reply)
      return reply.status(204).send(null)
    },
  )
}

export function registerAuthHttp(app: HttpServer, deps: auth.AuthDeps, guards: Guards): void {
  // Cookies are parsed only for the session routes: nothing else reads one.
  void app.register(async (scope: HttpServer) => {
    await scope.register(cookie)
    registerSessionRoutes(scope, deps, guards)
  })
  app.get(
    '/v1/me',
    {
      onRequest: guards.anyone,
      schema: { tags, security, summary: 'The account (and device) behind the credential', response: { 200: Me } },
    },
    async (request) => {
      const principal = readPrincipal(request)
      return {
        user: await auth.getUser(deps.db, principal.userId),
        device: principal.deviceId ? { id: principal.deviceId } : null,
      }
    },
  )
  app.patch(
    '/v1/me',
    {
      onRequest: guards.person,
      schema: { tags, security, summary: 'Update profile and settings', body: PatchMeBody, response: { 200: User } },
    },
    async (request) => auth.updateMe(deps, readPrincipal(request), request.body),
  )
}
