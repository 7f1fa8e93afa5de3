/**
 * One Socket.IO connection to namespace `/v1`, shared by every page: opened when a person signs in,
 * closed when they sign out. Pages listen with `useLive(event, handler)`.
 */
import { useEffect, useRef } from 'preact/hooks'
import { io, type Socket } from 'socket.io-client'
import { createStore, useStore } from './store'
import { currentToken, refreshAccessToken, session, signingOut } from './session'

export type LiveStatus = 'connecting' | 'live' | 'offline'
export const liveStatus = createStore<LiveStatus>('offline')

let socket: Socket | undefined
/** A pause before reconnecting by hand, so a server that keeps refusing is not hammered. */
const RECONNECT_DELAY_MS = 1000

function open(): Socket {
  const next = io('/v1', {
    // Read on every (re)connection attempt, so a refreshed token is used.
    auth: (send) => send({ token: currentToken() }),
    transports: ['websocket'],
  })
  liveStatus.set('connecting')
  next.on('ready', () => liveStatus.set('live'))
  // socket.io-client retries lost connections by itself, but not a refused handshake or a server-side
  // disconnect (the server ends a socket whose credentials ended): refresh the token, then reconnect.
  const reconnectWithFreshToken = () => {
    // Signing out ends the connection on the server's side too; that is not a reason to refresh.
    if (signingOut()) return
    void refreshAccessToken().then((isRefreshed) => {
      if (isRefreshed && socket === next) setTimeout(() => socket === next && next.connect(), RECONNECT_DELAY_MS)
    })
  }
  next.on('disconnect', (reason) => {
    liveStatus.set('connecting')
    if (reason === 'io server disconnect') reconnectWithFreshToken()
  })
  next.on('connect_error', (error: Error & { data?: { code?: string } }) => {
    liveStatus.set('connecting')
    if (error.data?.code === 'unauthenticated') reconnectWithFreshToken()
  })
  return next
}

session.subscribe((state) => {
  if (state.status === 'signed-in' && socket === undefined) socket = open()
  if (state.status !== 'signed-in' && socket !== undefined) {
    socket.disconnect()
    socket = undefined
    liveStatus.set('offline')
  }
})

/** Calls `handler` for every `event` the server pushes while the component is mounted. */
export function useLive<T>(event: string, handler: (data: T) => void): void {
  const latest = useRef(handler)
  latest.current = handler
  const status = useStore(liveStatus)
  useEffect(() => {
    const current = socket
    if (current === undefined) return
    const listener = (data: T) => latest.current(data)
    current.on(event, listener)
    return () => {
      current.off(event, listener)
    }
  }, [event, status === 'offline'])
}
