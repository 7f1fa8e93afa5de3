import { Type } from 'typebox'
import type { Guards } from '../../platform/http/http-auth.js'
import { readPrincipal } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { streamedFile } from '../../platform/http/openapi.js'
import { getUser } from '../auth/auth.service.js'
import { exportAccount } from './accounts.export.js'
import {
  AdminUserParams,
  ChangePasswordBody,
  DeleteMeBody,
  PasswordResetConfirmBody,
  PasswordResetRequestBody,
} from './accounts.schema.js'
import * as accounts from './accounts.service.js'

const security = [{ bearer: [] }]
const NoContent = { 204: Type.Null() }

export function registerAccountsHttp(app: HttpServer, deps: accounts.AccountsDeps, guards: Guards): void {
  app.delete(
    '/v1/me',
    {
      onRequest: guards.person,
      schema: {
        tags: ['auth'],
        security,
        summary: 'Delete my account and all its data',
        description:
          'Devices, samples, sessions, models and their files, everything the account owns. Every token and device key stops working; live streams end. The password confirms it (403 when wrong).',
        body: DeleteMeBody,
        response: NoContent,
      },
    },
    async (request, reply) => {
      await accounts.deleteMyAccount(deps, readPrincipal(request), request.body.password)
      return reply.status(204).send(null)
    },
  )
  app.get(
    '/v1/me/export',
    {
      onRequest: guards.person,
      schema: {
        tags: ['auth'],
        security,
        summary: 'Export all my data as one zip archive',
        description:
          "account.json, one JSON file per kind of data (every row of the account, credentials left out, bytes as base64) and models/<id>/ with each model's files. Streamed.",
        response: { 200: streamedFile('application/zip', 'A zip archive of JSON files') },
      },
    },
    async (request, reply) => {
      const { userId } = readPrincipal(request)
      const archive = await exportAccount(deps, userId, await getUser(deps.db, userId))
      reply
        .header('content-type', 'application/zip')
        .header(
          'content-disposition',
          `attachment; filename="pulsebase-export-${new Date(deps.now()).toISOString().slice(0, 10)}.zip"`,
        )
      return reply.send(archive)
    },
  )
  app.post(
    '/v1/me/password',
    {
      onRequest: guards.person,
      schema: {
        tags: ['auth'],
        security,
        summary: 'Change my password; every other login session ends',
        body: ChangePasswordBody,
        response: NoContent,
      },
    },
    async (request, reply) => {
      await accounts.changePassword(deps, readPrincipal(request), request.body)
      return reply.status(204).send(null)
    },
  )
  app.post(
    '/v1/auth/password-reset',
    {
      schema: {
        tags: ['auth'],
        summary: 'Mail a password-reset token',
        description: `Answers 202 whether or not the address has an account; when it has, a single-use token valid for an hour is mailed to it. At most ${accounts.RESETS_PER_ACCOUNT} requests an hour per e-mail address and ${accounts.RESETS_PER_CLIENT} per client address, then 429.`,
        body: PasswordResetRequestBody,
        response: { 202: Type.Null() },
      },
    },
    async (request, reply) => {
      await accounts.requestPasswordReset(deps, request.body.email, request.ip)
      return reply.status(202).send(null)
    },
  )
  app.post(
    '/v1/auth/password-reset/confirm',
    {
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with a mailed token; every login session ends',
        body: PasswordResetConfirmBody,
        response: NoContent,
      },
    },
    async (request, reply) => {
      await accounts.confirmPasswordReset(deps, request.body)
      return reply.status(204).send(null)
    },
  )
  app.delete(
    '/v1/admin/users/:id',
    {
      onRequest: guards.admin,
      schema: {
        tags: ['admin'],
        security,
        summary: 'Delete a user and all their data (404 when there is none)',
        params: AdminUserParams,
        response: NoContent,
      },
    },
    async (request, reply) => {
      await accounts.deleteAccount(deps, request.params.id)
      return reply.status(204).send(null)
    },
  )
}
