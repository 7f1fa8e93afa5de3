import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyRequest } from 'fastify'
import type { Authenticate, Principal } from '../auth/principal.js'
import { AppError } from '../../errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null
  }
}

/** `X-Device-Key: <key>` or `Authorization: Bearer <token or device key>`; also used by the Socket.IO handshake. */
export function credentialFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  const deviceKey = headers['x-device-key']
  if (typeof deviceKey === 'string' && deviceKey !== '') return deviceKey
  const header = headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!match?.[1]) throw new AppError('unauthenticated', 'Authorization header must be "Bearer <token>"')
  return match[1]
}

export type Guard = (request: FastifyRequest) => Promise<void>

export interface Guards {
  /** A person's token or a device key. */
  readonly anyone: Guard
  /** A person's access token only: account and device management. */
  readonly person: Guard
  /** A person with the admin role. */
  readonly admin: Guard
}

export function createGuards(authenticate: Authenticate): Guards {
  const anyone: Guard = async (request) => {
    const credential = credentialFromHeaders(request.headers)
    if (credential === undefined) {
      throw new AppError(
        'unauthenticated',
        'Missing credentials: send "Authorization: Bearer <access token or device key>"',
      )
    }
    request.principal = await authenticate(credential, { address: request.ip })
  }
  const person: Guard = async (request) => {
    await anyone(request)
    if (request.principal?.deviceId !== null) {
      throw new AppError('permission_denied', "This route needs a person's access token, not a device key")
    }
  }
  const admin: Guard = async (request) => {
    await person(request)
    if (request.principal?.role !== 'admin') throw new AppError('permission_denied', 'This route needs the admin role')
  }
  return { anyone, person, admin }
}

/** The principal a guard has set; routes call it only behind a guard. */
export function readPrincipal(request: FastifyRequest): Principal {
  if (request.principal === null) throw new AppError('unauthenticated', 'Not authenticated')
  return request.principal
}
