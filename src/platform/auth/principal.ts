import { type Static, Type } from 'typebox'

/** The roles an account can have; `admin` opens the operator routes. */
export const Role = Type.Union([Type.Literal('user'), Type.Literal('admin')])
export type Role = Static<typeof Role>

/** Who a request acts for: a person with a token, or a device with its key acting for its owner. */
export interface Principal {
  readonly userId: string
  readonly role: Role
  /** Set when a device key authenticated the call. */
  readonly deviceId: string | null
  /** The login session behind an access token; logout revokes it. */
  readonly sessionId?: string
  /** When the access token expires (epoch ms); live connections end then. Device keys do not expire. */
  readonly expiresAtMs?: number
}

/** Where a call came from: a device's calls count as contact (presence), recorded with this address. */
export interface CallOrigin {
  /** The peer's IP address, as the transport sees it (behind a trusted proxy: the forwarded one). */
  readonly address?: string | undefined
}

/** Resolves a bearer credential (access token or device key) to a principal; throws `unauthenticated`. */
export type Authenticate = (credential: string, origin?: CallOrigin) => Promise<Principal>
