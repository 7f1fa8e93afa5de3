// Short-lived signed links in place of the seed's S3 presigned URLs: the link itself is the
// credential (the seed's client fetches them without its Authorization header), so it names one
// user, one purpose and one subject (a run, or an upload's data source and name), and expires.
// Format: base64url(JSON claims) "." base64url(HMAC-SHA256(key, first part)), the key derived from
// the server's JWT secret with a label of its own, so an access token is never a link nor a link a token.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { AppError } from '../../errors.js'
import type { Clock } from '../../platform/time/clock.js'

/** What a link lets its holder do: read a run's files, or upload one dataset file. */
export type LinkPurpose = 'execution-files' | 'dataset-upload'

export interface LinkClaims {
  readonly userId: string
  readonly purpose: LinkPurpose
  /** The run id (execution-files) or `<data_source>/<name>` (dataset-upload). */
  readonly subject: string
  /** Epoch ms after which the link is refused. */
  readonly expiresAtMs: number
}

export interface LinkSigner {
  /** A token for `claims`, valid for `ttlMs` from now (the platform clock). */
  sign(claims: Omit<LinkClaims, 'expiresAtMs'>, ttlMs: number): string
  /** The claims of a token this server signed for `purpose`; throws permission_denied when tampered, expired or for another purpose. */
  verify(token: string, purpose: LinkPurpose): LinkClaims
}

/** The longest token read (a link's claims are small; anything longer is not one of ours). */
const MAX_TOKEN_CHARS = 2000
const LABEL = 'pulsebase dlp signed links v1'

const refused = (message: string) => new AppError('permission_denied', message)

/** A signer whose key is derived from `secret` (the JWT secret) and whose expiry reads `now`. */
export function createLinkSigner(secret: string, now: Clock): LinkSigner {
  const key = createHmac('sha256', secret).update(LABEL).digest()
  const mac = (text: string) => createHmac('sha256', key).update(text).digest()
  return {
    sign(claims, ttlMs) {
      const body = Buffer.from(
        JSON.stringify({ u: claims.userId, p: claims.purpose, s: claims.subject, e: now() + ttlMs }),
      ).toString('base64url')
      return `${body}.${mac(body).toString('base64url')}`
    },
    verify(token, purpose) {
      const [body, signature, ...rest] = token.length > MAX_TOKEN_CHARS ? [] : token.split('.')
      if (body === undefined || signature === undefined || rest.length > 0) throw refused('This link is not valid')
      const given = Buffer.from(signature, 'base64url')
      const expected = mac(body)
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refused('This link is not valid')
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>
      if (
        claims.p !== purpose ||
        typeof claims.u !== 'string' ||
        typeof claims.s !== 'string' ||
        typeof claims.e !== 'number'
      )
        throw refused('This link is not valid here')
      if (now() > claims.e) throw refused('This link has expired; ask for a new one')
      return { userId: claims.u, purpose, subject: claims.s, expiresAtMs: claims.e }
    },
  }
}
