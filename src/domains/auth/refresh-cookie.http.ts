import type { HttpReply, HttpRequest } from '../../platform/http/http-server.js'
import { Type } from 'typebox'

/**
 * The browser session: a client that sends `Pulsebase-Session: cookie` gets its refresh token as an
 * httpOnly cookie instead of in the JSON body, so no page script can read it. The cookie is sent
 * back only to the refresh route (Path) and only from the dashboard's own site (SameSite=Strict).
 */
export const SESSION_HEADER = 'pulsebase-session'
export const REFRESH_COOKIE = 'pulsebase_refresh'
const REFRESH_COOKIE_PATH = '/v1/auth/refresh'

/** The request header schema the login, register and refresh routes accept (and OpenAPI shows). */
export const SessionHeaders = Type.Object({
  [SESSION_HEADER]: Type.Optional(
    Type.Literal('cookie', {
      description: 'Keep the refresh token in an httpOnly cookie (for browsers): the body then has no refreshToken',
    }),
  ),
})

export function wantsRefreshCookie(request: HttpRequest): boolean {
  return request.headers[SESSION_HEADER] === 'cookie'
}

function cookieOptions(request: HttpRequest) {
  // Secure only when the request came over TLS (directly, or per X-Forwarded-Proto behind a trusted proxy),
  // so `npm start` on http://localhost still works in a browser.
  return {
    path: REFRESH_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: request.protocol === 'https',
  }
}

/** Moves the refresh token from the body to the cookie; returns the body without it. */
export function toCookieSession<T extends { refreshToken: string }>(
  request: HttpRequest,
  reply: HttpReply,
  tokens: T,
  ttlDays: number,
): Omit<T, 'refreshToken'> {
  const { refreshToken, ...rest } = tokens
  reply.setCookie(REFRESH_COOKIE, refreshToken, { ...cookieOptions(request), maxAge: ttlDays * 86_400 })
  return rest
}

export function clearRefreshCookie(request: HttpRequest, reply: HttpReply): void {
  reply.clearCookie(REFRESH_COOKIE, cookieOptions(request))
}

export function readRefreshCookie(request: HttpRequest): string | undefined {
  const value = request.cookies[REFRESH_COOKIE]
  return value === undefined || value === '' ? undefined : value
}
