import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http'
import { type DefaultEventsMap, type Namespace, Server, type Socket } from 'socket.io'
import type { CredentialWatch } from '../auth/credential-watch.js'
import type { Authenticate, Principal } from '../auth/principal.js'
import { AppError } from '../../errors.js'
import type { Logger } from '../logging/logger.js'
import { toLiveEvent, userChannel } from '../pubsub/live-events.js'
import { credentialFromHeaders } from '../http/http-auth.js'
import type { PubSubPort } from '../pubsub/pubsub.port.js'

/** The live namespace; domain `.socket.ts` files add their handlers on `io.of(LIVE_NAMESPACE)`. */
const LIVE_NAMESPACE = '/v1'

/** The room that holds every local socket of one user. */
const userRoom = (userId: string): string => `user:${userId}`

/** What the handshake middleware leaves on `socket.data` for every connected socket. */
export interface LiveSocketData {
  principal: Principal
}

export type LiveServer = Server<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, LiveSocketData>
type LiveSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, LiveSocketData>
type LiveNamespace = Namespace<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, LiveSocketData>

export interface SocketServerDeps {
  readonly server: HttpServer
  readonly authenticate: Authenticate
  /** Ends a socket when its credentials end (token expiry, logout, password change, device revoked or deleted, account deleted). */
  readonly credentials?: CredentialWatch
  readonly pubsub: PubSubPort
  readonly logger: Logger
  readonly corsOrigin?: string | boolean | string[]
  /** False on a seed adapter's own port (PULSEBASE_COMPAT_PORTS): only the default namespace `/`, no `/v1`. */
  readonly hasLiveNamespace?: boolean
}

/** The Socket.IO transport: authenticated `/v1` sockets that receive their user's live events. */
export interface SocketServer {
  readonly io: LiveServer
  /** Disconnects every socket and unsubscribes; leaves the HTTP server to its owner. */
  close(): Promise<void>
  /** Sockets currently connected to `/v1` on this process. */
  connectedCount(): number
}

/** The event a socket receives, with `{ reason }`, just before the server disconnects it because its credentials ended. */
export const CREDENTIALS_ENDED_EVENT = 'credentials-ended'

/** How long an engine.io connection may stay without joining a namespace (socket.io's default is 45 s). */
const CONNECT_TIMEOUT_MS = 5000

/** Names socket.io refuses to broadcast, plus `ready`, which clients read as "subscribed". */
const UNSENDABLE_EVENTS = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
  'ready',
])

type Unsubscribe = () => Promise<void>

/** One user's subscription on this process, shared by all of the user's local sockets. */
interface Feed {
  sockets: number
  /** Undefined when subscribing failed; each socket waits on it before `ready`. */
  subscription: Promise<Unsubscribe | undefined>
}

/** Error text and code that reach the client in `connect_error`; unknown errors stay private. */
function toConnectError(error: unknown, logger: Logger): Error & { data: { code: string } } {
  if (error instanceof AppError) return Object.assign(new Error(error.message), { data: { code: error.code } })
  logger.error({ err: error }, 'socket authentication failed unexpectedly')
  return Object.assign(new Error('Internal server error'), { data: { code: 'internal' } })
}

/** `auth.token`, else the headers HTTP accepts (`X-Device-Key`, `Authorization: Bearer`); throws `unauthenticated` if none. */
function socketCredential(auth: Record<string, unknown>, headers: IncomingHttpHeaders): string {
  if (typeof auth.token === 'string' && auth.token !== '') return auth.token
  const credential = credentialFromHeaders(headers)
  if (credential === undefined)
    throw new AppError('unauthenticated', 'Missing credentials: send an access token or device key as auth.token')
  return credential
}

function useAuthentication(nsp: LiveNamespace, authenticate: Authenticate, logger: Logger): void {
  nsp.use((socket, next) => {
    const attempt = async () => {
      const credential = socketCredential(socket.handshake.auth, socket.handshake.headers)
      socket.data.principal = await authenticate(credential, { address: socket.handshake.address })
    }
    attempt().then(
      () => next(),
      (error: unknown) => next(toConnectError(error, logger)),
    )
  })
}

/** Disconnects `socket` (telling it why) as soon as the credentials it connected with end. */
function endWithCredentials(socket: Socket, principal: Principal, credentials: CredentialWatch | undefined): void {
  if (credentials === undefined) return
  const stop = credentials.watch(principal, (reason) => {
    socket.emit(CREDENTIALS_ENDED_EVENT, { reason })
    socket.disconnect(true)
  })
  socket.once('disconnect', stop)
}

/** Per-user ref-counted subscriptions: the first local socket subscribes, the last one unsubscribes. */
function createFeeds(nsp: LiveNamespace, pubsub: PubSubPort, logger: Logger) {
  const feeds = new Map<string, Feed>()
  const releases = new Set<Promise<void>>()

  function forward(userId: string, feed: Feed, message: unknown): void {
    // A feed being replaced (last socket left, a new one came before the unsubscribe) stays silent,
    // so the room never gets the same event twice.
    if (feeds.get(userId) !== feed) return
    const live = toLiveEvent(message)
    if (live === undefined || UNSENDABLE_EVENTS.has(live.event)) {
      logger.warn({ userId, event: live?.event }, 'dropped a live message that cannot be emitted')
      return
    }
    try {
      nsp.to(userRoom(userId)).emit(live.event, live.data)
    } catch (error) {
      logger.error({ err: error, userId, event: live.event }, 'live emit failed')
    }
  }

  async function subscribe(userId: string, feed: Feed): Promise<Unsubscribe | undefined> {
    try {
      return await pubsub.subscribe(userChannel(userId), (message) => forward(userId, feed, message))
    } catch (error) {
      logger.error({ err: error, userId }, 'live subscribe failed')
      if (feeds.get(userId) === feed) feeds.delete(userId) // the next socket retries
      return undefined
    }
  }

  function acquire(userId: string): Feed {
    const existing = feeds.get(userId)
    if (existing) {
      existing.sockets += 1
      return existing
    }
    const feed: Feed = { sockets: 1, subscription: Promise.resolve(undefined) }
    feeds.set(userId, feed)
    feed.subscription = subscribe(userId, feed) // the listener needs the feed, so it is set second
    return feed
  }

  function release(userId: string, feed: Feed): void {
    feed.sockets -= 1
    if (feed.sockets > 0) return
    if (feeds.get(userId) === feed) feeds.delete(userId)
    // Waits for a subscribe still in flight, so a quick disconnect never leaks a subscription.
    const done = feed.subscription
      .then((unsubscribe) => unsubscribe?.())
      .catch((error: unknown) => logger.warn({ err: error, userId }, 'live unsubscribe failed'))
      .finally(() => releases.delete(done))
    releases.add(done)
  }

  const settled = async () => {
    await Promise.allSettled([...releases])
  }
  return { acquire, release, settled }
}

export function createSocketServer(deps: SocketServerDeps): SocketServer {
  const logger = deps.logger.child({ module: 'socket' })
  let isClosed = false
  const io: LiveServer = new Server(deps.server, {
    serveClient: false,
    cors: deps.corsOrigin === undefined ? undefined : { origin: deps.corsOrigin },
    // After close() the engine still listens on the HTTP server, so new handshakes are refused here.
    allowRequest: (_request, callback) => callback(null, !isClosed),
    connectTimeout: CONNECT_TIMEOUT_MS,
  })
  // The default namespace takes the same credentials (a seed adapter may add handlers there), so an
  // anonymous client is refused at once rather than held open; its sockets end with their credentials too.
  const main = io.of('/') as unknown as LiveNamespace
  useAuthentication(main, deps.authenticate, logger)
  main.on('connection', (socket: LiveSocket) => endWithCredentials(socket, socket.data.principal, deps.credentials))
  const live = deps.hasLiveNamespace === false ? undefined : serveLiveNamespace(io, deps, logger)

  let closing: Promise<void> | undefined
  return {
    io,
    connectedCount: () => live?.connectedCount() ?? 0,
    close() {
      closing ??= (async () => {
        isClosed = true
        live?.nsp.disconnectSockets(true) // synchronous: every /v1 socket releases its feed now
        main.disconnectSockets(true)
        // Not io.close(): that also closes the HTTP server, which Fastify owns.
        io.engine.close()
        await live?.feeds.settled()
      })()
      return closing
    },
  }
}

/** `/v1`: authenticated sockets joined to their user's room, fed by the user's live events. */
function serveLiveNamespace(io: LiveServer, deps: SocketServerDeps, logger: Logger) {
  let connected = 0
  const nsp = io.of(LIVE_NAMESPACE)
  const feeds = createFeeds(nsp, deps.pubsub, logger)
  useAuthentication(nsp, deps.authenticate, logger)

  nsp.on('connection', (socket: LiveSocket) => {
    const { userId, deviceId } = socket.data.principal
    endWithCredentials(socket, socket.data.principal, deps.credentials)
    connected += 1
    const feed = feeds.acquire(userId)
    socket.once('disconnect', () => {
      connected -= 1
      feeds.release(userId, feed)
    })
    void socket.join(userRoom(userId))
    void feed.subscription.then((unsubscribe) => {
      if (!socket.connected) return
      // Without a subscription the socket would wait for events that never come; a server disconnect
      // tells the client so (socket.io clients do not retry it by themselves; the app decides when).
      if (unsubscribe === undefined) socket.disconnect(true)
      else socket.emit('ready', { userId, deviceId })
    })
  })

  return { nsp, feeds, connectedCount: () => connected }
}
