import type { Static } from 'typebox'
import type { Role } from './auth.schema.js'

/** Who a request acts for: a person with a token, or a device with its key acting for its owner. */
export interface Principal {
  readonly userId: string
  readonly role: Static<typeof Role>
  /** Set when a device key authenticated the call. */
  readonly deviceId: string | null
  /** The login session behind an access token; logout revokes it. */
  readonly sessionId?: string
}

/** Resolves a bearer credential (access token or device key) to a principal; throws `unauthenticated`. */
export type Authenticate = (credential: string) => Promise<Principal>
