// pulsebase's own MQTT listener (aedes): devices connect with their key as the password, publish
// only under their own `devices/<deviceId>/` topics, and a QoS 1 PUBLISH is acknowledged only after
// the route that handles its topic has committed it. Off unless PULSEBASE_MQTT_PORT is set.
import { createServer, type Server } from 'node:net'
import type { Aedes, AuthenticateError, Client } from 'aedes'
import { AppError } from '../../errors.js'
import type { CredentialWatch } from '../auth/credential-watch.js'
import type { Authenticate, Principal } from '../auth/principal.js'
import type { Logger } from '../logging/logger.js'
import type { Metrics } from '../metrics/metrics.js'

/** What a route knows about the device that published. */
export interface MqttPublisher {
  readonly principal: Principal & { readonly deviceId: string }
  readonly clientId: string
  readonly address: string | undefined
}

export interface MqttMessage {
  readonly publisher: MqttPublisher
  readonly topic: string
  /** The topic split at `/`. */
  readonly levels: readonly string[]
  readonly payload: Buffer
  readonly qos: 0 | 1 | 2
}

/** A reply published to the device's own topics after the message is handled (e.g. per-frame verdicts). */
export interface MqttReply {
  readonly topic: string
  readonly payload: string
}

export interface MqttRoute {
  /** A topic filter below `devices/<deviceId>/`, with `+` for one level, e.g. `frames/+`. */
  readonly topic: string
  /**
   * Handles one message; resolves once it is durable (QoS 1 is acknowledged then). Throwing refuses
   * it: MQTT 3.1.1 has no negative acknowledgement, so the connection is closed unacknowledged and
   * the client sends it again after reconnecting. Bad content is not a reason to throw: answer with
   * a reply instead, or the client would resend it forever.
   */
  handle(message: MqttMessage): Promise<MqttReply | void>
}

export interface MqttServer {
  addRoute(route: MqttRoute): void
  /** Resolves with the bound port; port 0 picks one. */
  listen(host: string, port: number): Promise<number>
  /** Clients connected to this process. */
  connectedCount(): number
  close(): Promise<void>
}

export interface MqttServerDeps {
  readonly authenticate: Authenticate
  readonly logger: Logger
  readonly metrics: Metrics
  /** Closes a device's session when its key is revoked or the device deleted (on any process). */
  readonly credentials?: CredentialWatch
}

/** The topics a device owns: everything below this prefix. */
export const deviceTopicPrefix = (deviceId: string) => `devices/${deviceId}/`

const NOT_AUTHORIZED = 5
const BAD_USERNAME_OR_PASSWORD = 4
const SERVER_UNAVAILABLE = 3

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError
}

function matches(filter: readonly string[], levels: readonly string[]): boolean {
  return filter.length === levels.length && filter.every((part, i) => part === '+' || part === levels[i])
}

interface Session {
  readonly credential: string
  publisher: MqttPublisher
}

/** The parts of a PUBLISH packet a route sees. */
type Published = Pick<MqttMessage, 'topic' | 'payload' | 'qos'>

/** What the broker's hooks share: the routes, and per connected client its session and credential watch. */
interface Broker {
  readonly aedes: Aedes
  readonly deps: MqttServerDeps
  readonly routes: { filter: string[]; route: MqttRoute }[]
  readonly sessions: WeakMap<Client, Session>
  readonly watches: WeakMap<Client, () => void>
}

/**
 * Starts an MQTT broker (aedes) whose clients are devices: the password is a device key, the username
 * empty or the device id. Nothing listens until `listen`. Errors: none of its own; aedes' load errors.
 */
export async function createMqttServer(deps: MqttServerDeps): Promise<MqttServer> {
  const { Aedes } = await import('aedes')
  const broker: Broker = {
    aedes: await Aedes.createBroker({ concurrency: 1000 }),
    deps,
    routes: [],
    sessions: new WeakMap(),
    watches: new WeakMap(),
  }
  broker.aedes.authenticate = (client, username, password, done) => {
    // connectClient answers every refusal itself; it rejects only on a bug, as the inline handler did.
    void connectClient(broker, client, username, password?.toString('utf8') ?? '').then((error) =>
      done(error, error === null),
    )
  }
  broker.aedes.authorizeSubscribe = (client, subscription, done) => {
    const session = broker.sessions.get(client)
    // A device subscribes only below devices/<its id>/; a null subscription is a refused one (SUBACK 128).
    if (
      session === undefined ||
      !subscription.topic.startsWith(deviceTopicPrefix(session.publisher.principal.deviceId))
    )
      return done(null, null)
    done(null, subscription)
  }
  broker.aedes.authorizePublish = (client, packet, done) => {
    if (client === null) return done(new Error('no anonymous publishing'))
    const session = broker.sessions.get(client)
    if (session === undefined) return done(new Error('not authenticated'))
    void receivePublish(broker, client, session, {
      topic: packet.topic,
      payload: packet.payload as Buffer,
      qos: packet.qos,
    }).then(done)
  }
  const logger = deps.logger
  broker.aedes.on('clientError', (client, error) =>
    logger.debug({ clientId: client.id, err: error }, 'MQTT client error'),
  )
  broker.aedes.on('clientDisconnect', (client) => broker.watches.get(client)?.())
  return serveBroker(broker)
}

function readAddress(client: Client): string | undefined {
  return 'remoteAddress' in client.conn ? client.conn.remoteAddress : undefined
}

async function authenticatePublisher(deps: MqttServerDeps, client: Client, credential: string): Promise<MqttPublisher> {
  const principal = await deps.authenticate(credential, { address: readAddress(client) })
  if (principal.deviceId === null)
    throw new AppError('permission_denied', 'MQTT is for devices: connect with a device key as the password')
  return {
    principal: { ...principal, deviceId: principal.deviceId },
    clientId: client.id,
    address: readAddress(client),
  }
}

/**
 * Authenticates a connecting client and starts its session (and the watch that closes it when its
 * credentials end). Resolves with null when accepted, else the CONNACK error to refuse it with.
 */
async function connectClient(
  broker: Broker,
  client: Client,
  username: string | undefined,
  credential: string,
): Promise<AuthenticateError | null> {
  const logger = broker.deps.logger
  let publisher: MqttPublisher
  try {
    publisher = await authenticatePublisher(broker.deps, client, credential)
  } catch (error) {
    if (error instanceof AppError)
      return authError(error.message, error.code === 'permission_denied' ? NOT_AUTHORIZED : BAD_USERNAME_OR_PASSWORD)
    logger.error({ err: error }, 'MQTT authentication failed unexpectedly')
    return authError('Server unavailable', SERVER_UNAVAILABLE)
  }
  if (username !== undefined && username !== '' && username !== publisher.principal.deviceId) {
    return authError('The username must be the device id (or empty)', BAD_USERNAME_OR_PASSWORD)
  }
  broker.sessions.set(client, { credential, publisher })
  const stop = broker.deps.credentials?.watch(publisher.principal, (reason) => {
    logger.debug({ clientId: client.id, reason }, 'MQTT session ended with its credentials')
    client.close()
  })
  if (stop !== undefined) broker.watches.set(client, stop)
  return null
}

/**
 * Handles one PUBLISH and counts its outcome. Resolves with null once handled (aedes then acknowledges
 * a QoS 1 message), else with the error that makes aedes close the connection unacknowledged.
 */
async function receivePublish(
  broker: Broker,
  client: Client,
  session: Session,
  packet: Published,
): Promise<Error | null> {
  const { topic } = packet
  try {
    await handlePublish(broker, client, session, packet)
    return null
  } catch (error) {
    const outcome = error instanceof AppError ? 'refused' : 'failed'
    broker.deps.metrics.mqttMessages.inc({ outcome })
    if (outcome === 'failed')
      broker.deps.logger.error({ err: error, topic }, 'MQTT message not handled; closing the connection unacknowledged')
    else broker.deps.logger.debug({ topic, message: (error as Error).message }, 'MQTT message refused')
    return error instanceof Error ? error : new Error(String(error))
  }
}

/** Re-authenticates (cached; a revoked key ends the session here), checks the topic, runs its route. */
async function handlePublish(broker: Broker, client: Client, session: Session, packet: Published): Promise<void> {
  const { topic, payload, qos } = packet
  session.publisher = await authenticatePublisher(broker.deps, client, session.credential)
  const prefix = deviceTopicPrefix(session.publisher.principal.deviceId)
  if (!topic.startsWith(prefix)) throw new AppError('permission_denied', `A device publishes only below ${prefix}`)
  const levels = topic.slice(prefix.length).split('/')
  const match = broker.routes.find((r) => matches(r.filter, levels))
  // A topic of the device's own that no route handles is passed to its subscribers only.
  if (match === undefined) return
  const reply = await match.route.handle({ publisher: session.publisher, topic, levels, payload, qos })
  broker.deps.metrics.mqttMessages.inc({ outcome: 'handled' })
  if (reply)
    broker.aedes.publish(
      { cmd: 'publish', topic: reply.topic, payload: Buffer.from(reply.payload), qos: 0, retain: false, dup: false },
      () => undefined,
    )
}

/** The MqttServer over a broker: routes added, a TCP listener started on demand, both closed in order. */
function serveBroker(broker: Broker): MqttServer {
  let server: Server | undefined
  return {
    addRoute(route) {
      broker.routes.push({ filter: route.topic.split('/'), route })
    },
    listen(host, port) {
      server ??= createServer(broker.aedes.handle)
      const listening = server
      return new Promise((resolve, reject) => {
        listening.once('error', reject)
        listening.listen(port, host, () => {
          listening.off('error', reject)
          const address = listening.address()
          resolve(typeof address === 'object' && address !== null ? address.port : port)
        })
      })
    },
    connectedCount: () => broker.aedes.connectedClients,
    async close() {
      await new Promise<void>((resolve) => broker.aedes.close(() => resolve()))
      await new Promise<void>((resolve) => (server?.listening === true ? server.close(() => resolve()) : resolve()))
    },
  }
}
