import type { Metadata } from '@grpc/grpc-js'
import type { Authenticate, Principal } from '../auth/principal.js'
import { AppError } from '../../errors.js'

const MISSING = 'Missing credentials: send an access token or device key in the authorization metadata'

function firstText(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0]
  if (value === undefined) return undefined
  const text = (typeof value === 'string' ? value : value.toString('utf8')).trim()
  return text === '' ? undefined : text
}

/**
 * The credential of a call: `authorization: Bearer <token or device key>` or the bare credential;
 * `x-device-key` is accepted too, as on HTTP.
 */
export function credentialFromMetadata(metadata: Metadata): string | undefined {
  const deviceKey = firstText(metadata, 'x-device-key')
  if (deviceKey !== undefined) return deviceKey
  const authorization = firstText(metadata, 'authorization')
  if (authorization === undefined) return undefined
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)
  if (bearer?.[1]) return bearer[1]
  if (/\s/.test(authorization)) {
    throw new AppError(
      'unauthenticated',
      'The authorization metadata must be "Bearer <credential>" or the bare credential',
    )
  }
  return authorization
}

/** The IP address in a grpc-js peer string (`127.0.0.1:5000`, `[::1]:5000`, `ipv4:…`); undefined for other transports. */
export function addressOfPeer(peer: string): string | undefined {
  const text = peer.replace(/^ipv[46]:/, '')
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(text)
  if (bracketed?.[1]) return bracketed[1]
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(text)
  return v4?.[1]
}

/** Who a gRPC call acts for (its peer address recorded as a device's contact), held for the call's life; throws `unauthenticated` when the credential is missing or refused. */
export async function principalFrom(
  call: { readonly metadata: Metadata; readonly peer: string; holdCredentials?(principal: Principal): void },
  authenticate: Authenticate,
): Promise<Principal> {
  const credential = credentialFromMetadata(call.metadata)
  if (credential === undefined) throw new AppError('unauthenticated', MISSING)
  const principal = await authenticate(credential, { address: addressOfPeer(call.peer) })
  // The call ends (UNAUTHENTICATED) when these credentials end, however long it streams.
  call.holdCredentials?.(principal)
  return principal
}
