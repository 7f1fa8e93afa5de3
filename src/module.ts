// The shape every domain and compat adapter plugs into: `app.ts` opens the platform once, calls
// each module factory with it, and assembles what the modules return. Adding a domain is a folder
// that exports one factory, plus one line in app.ts.
import type { JobHandlers } from './jobs.js'
import type { Authenticate } from './platform/auth/principal.js'
import type { Platform } from './platform/platform.js'
import type { DatabaseHandle } from './platform/db/database.js'
import type { GrpcServer } from './platform/grpc/grpc-server.js'
import type { Guards } from './platform/http/http-auth.js'
import type { HttpServer } from './platform/http/http-server.js'
import type { ReadinessCheck } from './platform/http/system-routes.js'
import type { MqttServer } from './platform/mqtt/mqtt-server.js'
import type { SocketServer } from './platform/socket/socket-server.js'

/** Loads the current state of the changed entities of one sync kind, by id, for one user. */
export type SyncLoader = (
  db: DatabaseHandle['db'],
  userId: string,
  ids: readonly string[],
) => Promise<Map<string, unknown>>

export type { Platform, PublishLiveEvent } from './platform/platform.js'

/** What an account cleaner leaves for after the deletion committed: removing files and blobs, which no transaction covers. */
export type AfterAccountDeleted = () => Promise<void>

/**
 * Removes one module's data of an account being deleted. Runs inside the deletion's transaction
 * (`trx`): it deletes the module's rows of `userId` there, and returns what must go once that
 * transaction committed (its blobs), if anything. Throwing rolls the whole deletion back.
 */
export type AccountCleaner = (trx: DatabaseHandle['db'], userId: string) => Promise<AfterAccountDeleted | undefined>

/** The platform once accounts exist: every module after the auth module gets this. */
export interface AuthedPlatform extends Platform {
  readonly authenticate: Authenticate
  readonly guards: Guards
}

/**
 * What a domain or compat adapter contributes. Every member is optional; `app.ts` registers the
 * transports, merges the job handlers (the worker refuses to start when a declared job has none),
 * and calls the hooks in order.
 */
export interface Module {
  /** For logs and errors, e.g. `heart-rate` or `compat:mindsync`. */
  readonly name: string
  /** Adds HTTP routes. May run more than once: on the main port and on a compat adapter's own port (`isOwnPort`, PULSEBASE_COMPAT_PORTS). */
  readonly http?: (server: HttpServer, where?: { readonly isOwnPort: boolean }) => void | Promise<void>
  readonly grpc?: (server: GrpcServer) => void
  /** The largest gRPC message (bytes) one of this module's methods must accept; the server takes the largest over all modules. */
  readonly grpcMaxMessageBytes?: number
  readonly sockets?: (sockets: SocketServer) => void
  /** Adds MQTT topic routes; only called when the MQTT listener is on (PULSEBASE_MQTT_PORT). */
  readonly mqtt?: (server: MqttServer) => void
  readonly jobs?: Partial<JobHandlers>
  /** Change kinds this module writes to the sync feed, each with the loader of its entities. */
  readonly syncLoaders?: Readonly<Record<string, SyncLoader>>
  readonly readiness?: readonly ReadinessCheck[]
  /**
   * Deletes this module's data of a deleted account (DELETE /v1/me, admin deletion). The accounts
   * module calls every module's cleaner in one transaction, in reverse module order (a module's
   * rows go before those of the modules it was built on, which they may reference), deletes the
   * user row last, and runs what the cleaners returned after the commit.
   */
  readonly onAccountDeleted?: AccountCleaner
  /** Runs inside the hourly `maintenance.cleanup` job (expiry, retention, stale work). */
  readonly cleanup?: () => Promise<void>
  /** Runs in a process that starts consuming jobs, before the first delivery. */
  readonly onWorkerStart?: () => Promise<void>
  /** Lets this module's in-flight work finish; runs after the listeners stop, before the queue and database close. */
  readonly drain?: () => Promise<void>
  /** Releases what the module holds; runs after every drain. */
  readonly close?: () => Promise<void>
}
