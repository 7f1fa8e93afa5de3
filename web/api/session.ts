/**
 * The browser session. The access token lives only in this module's memory; the refresh token lives
 * in an httpOnly cookie the server sets (`Pulsebase-Session: cookie`), which no script can read.
 * A reload signs back in by refreshing from that cookie.
 */
import {
  ApiError,
  type CallResult,
  createPulsebaseClient,
  type PulsebaseClient,
  unwrap,
} from '../../src/client/pulsebase-client'
import { createStore } from './store'
import type { User } from './types'

export type SessionState =
  | { readonly status: 'loading' }
  | { readonly status: 'signed-out'; readonly notice?: string }
  | { readonly status: 'signed-in'; readonly user: User }

export const session = createStore<SessionState>({ status: 'loading' })

let accessToken: string | undefined
const COOKIE_MODE = { 'pulsebase-session': 'cookie' } as const
/**
 * Whether this browser signed in and has not signed out: a hint only (the cookie is the credential),
 * so a first visit does not send a refresh that can only fail.
 */
const SIGNED_IN_HINT = 'pulsebase.signedIn'

function signedIn(token: string, user: User): void {
  accessToken = token
  localStorage.setItem(SIGNED_IN_HINT, '1')
  session.set({ status: 'signed-in', user })
}

function signedOut(notice?: string): void {
  accessToken = undefined
  localStorage.removeItem(SIGNED_IN_HINT)
  session.set(notice === undefined ? { status: 'signed-out' } : { status: 'signed-out', notice })
}

/** The typed client every page uses; it sends the current access token. */
export const api: PulsebaseClient = createPulsebaseClient({ credential: () => accessToken })

export function currentToken(): string | undefined {
  return accessToken
}

let refreshing: Promise<boolean> | undefined

/**
 * Exchanges the refresh cookie for a new access token. Refresh tokens rotate and a reused one
 * revokes the session, so refreshes never overlap: one at a time in this tab, and across tabs
 * through a Web Lock (the second tab then sends the cookie the first one received).
 */
export function refreshAccessToken(): Promise<boolean> {
  refreshing ??= (async () => {
    const attempt = async () => {
      const { data, response } = await api.POST('/v1/auth/refresh', { params: { header: COOKIE_MODE }, body: {} })
      if (!response.ok || data === undefined) return false
      accessToken = data.accessToken
      return true
    }
    try {
      return navigator.locks ? await navigator.locks.request('pulsebase-refresh', attempt) : await attempt()
    } catch {
      return false
    } finally {
      refreshing = undefined
    }
  })()
  return refreshing
}

/** On page load: signed in again if the refresh cookie is still good, else signed out. */
export async function restoreSession(): Promise<void> {
  if (localStorage.getItem(SIGNED_IN_HINT) === null || !(await refreshAccessToken()) || accessToken === undefined) {
    signedOut()
    return
  }
  try {
    signedIn(accessToken, (await unwrap(api.GET('/v1/me'))).user)
  } catch {
    signedOut()
  }
}

export async function signIn(email: string, password: string): Promise<void> {
  const answer = await unwrap(
    api.POST('/v1/auth/login', { params: { header: COOKIE_MODE }, body: { email, password } }),
  )
  signedIn(answer.accessToken, answer.user)
}

export async function register(email: string, password: string, displayName?: string): Promise<void> {
  const body = displayName ? { email, password, displayName } : { email, password }
  const answer = await unwrap(api.POST('/v1/auth/register', { params: { header: COOKIE_MODE }, body }))
  // With PULSEBASE_EMAIL_VERIFICATION=required there is no session until the mailed token comes back.
  if (!('accessToken' in answer))
    throw new Error('Account created: confirm your e-mail address with the token we mailed you, then sign in.')
  signedIn(answer.accessToken, answer.user)
}

let isSigningOut = false

/** True while a sign-out is under way: the server ends the live connection then, and nothing should refresh. */
export const signingOut = (): boolean => isSigningOut

export async function signOut(): Promise<void> {
  isSigningOut = true
  try {
    await api.POST('/v1/auth/logout')
  } finally {
    signedOut('You are signed out.')
    isSigningOut = false
  }
}

/** After the profile changed. */
export function updateUser(user: User): void {
  if (session.get().status === 'signed-in') session.set({ status: 'signed-in', user })
}

function expire(): void {
  signedOut('Your session has expired. Sign in again.')
}

/**
 * Runs an API call and returns its data. A 401 gets one refresh and one retry; if the session cannot
 * be refreshed the person is sent to sign-in. Any other failure throws ApiError with the server's message.
 */
export async function call<T>(request: (client: PulsebaseClient) => Promise<CallResult<T>>): Promise<T> {
  try {
    return await unwrap(request(api))
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401 || session.get().status !== 'signed-in') throw error
    if (!(await refreshAccessToken())) {
      expire()
      throw error
    }
    try {
      return await unwrap(request(api))
    } catch (again) {
      if (again instanceof ApiError && again.status === 401) expire()
      throw again
    }
  }
}
