import { createHash, randomBytes } from 'node:crypto'
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose'
import { AppError } from '../../errors.js'

const ISSUER = 'pulsebase'
const AUDIENCE = 'pulsebase'

export interface AccessClaims {
  readonly userId: string
  readonly sessionId: string
  /** The token's `exp`, in epoch ms (set by verify). */
  readonly expiresAtMs?: number
}

export interface TokenSigner {
  sign(claims: AccessClaims): Promise<string>
  verify(token: string): Promise<AccessClaims>
  readonly ttlSeconds: number
}

/** HS256 access tokens carrying the user and their login session (so logout revokes them). */
export function createTokenSigner(secret: string, ttlSeconds: number): TokenSigner {
  // One CryptoKey for every sign and verify (a raw Uint8Array would be imported again on each call).
  const key = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  )
  return {
    ttlSeconds,
    sign: async (claims) =>
      new SignJWT({ sid: claims.sessionId, typ: 'access' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(await key),
    async verify(token) {
      try {
        // exp and iat are required: a token signed with the right key but without an expiry is refused.
        const { payload } = await jwtVerify(token, await key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          requiredClaims: ['exp', 'iat', 'sub', 'aud', 'iss'],
        })
        if (
          payload.typ !== 'access' ||
          typeof payload.sub !== 'string' ||
          typeof payload.sid !== 'string' ||
          typeof payload.exp !== 'number'
        ) {
          throw new AppError('unauthenticated', 'Invalid access token')
        }
        return { userId: payload.sub, sessionId: payload.sid, expiresAtMs: payload.exp * 1000 }
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw new AppError('unauthenticated', 'Access token has expired')
        throw new AppError('unauthenticated', 'Invalid access token')
      }
    },
  }
}

/** An opaque random secret with a readable prefix, e.g. `pbr_…` for refresh tokens, `pbd_…` for device keys. */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`
}

/** Secrets are high-entropy, so a plain SHA-256 is the right stored form (scrypt is for passwords). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}
