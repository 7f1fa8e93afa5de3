import { fileURLToPath } from 'node:url'
import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  setLogger,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js'
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader'
import { HealthImplementation } from 'grpc-health-check'
import type { Logger } from '../logging/logger.js'
import type { Metrics } from '../metrics/metrics.js'
import type { CredentialWatch } from '../auth/credential-watch.js'
import { type GrpcImplementation, wrapMethod } from './grpc-handlers.js'
import { methodType, metricsInterceptor } from './grpc-metrics.js'

export type { CallContext, GrpcImplementation, GrpcMethod } from './grpc-handlers.js'
export { bidiStream, clientStream, serverStream, unary } from './grpc-handlers.js'

/** The repository's `proto/` directory, found from this file so the working directory never matters. */
export const PROTO_DIR = fileURLToPath(new URL('../../../proto/', import.meta.url))

/**
 * How every pulsebase proto is decoded. `keepCase: false`: fields are camelCase in TypeScript
 * (`user_id` -> `userId`), matching the rest of the code; the wire is binary, so seed clients
 * are unaffected. int64 arrives as a Number (epoch-ms and counters stay far below 2^53), enums
 * as their names, unset fields as their defaults, and a set oneof names its field.
 */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
}

/** Loads a .proto from `proto/` (e.g. `pulsebase/v1/account.proto`); imports resolve from there too. */
export function loadProto(relativePath: string): PackageDefinition {
  return loadSync(relativePath, { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_DIR] })
}

/** The definition of one service in a loaded package, e.g. `pulsebase.v1.Account`. */
export function serviceFrom(definition: PackageDefinition, fullName: string): ServiceDefinition {
  const service = definition[fullName]
  if (!service || 'format' in service) throw new Error(`No service ${fullName} in the loaded protos`)
  return service as ServiceDefinition
}

/** The gRPC transport: health, metrics and error mapping built in; only `main.ts` calls `listen`. */
export interface GrpcServer {
  /**
   * Registers a service. Every method of the definition needs a handler of the matching shape
   * (`unary(...)`, `serverStream(...)`, ...), keyed by its proto name or its camelCase form;
   * a missing, unknown or mismatched handler throws here, at boot.
   */
  addService(definition: ServiceDefinition, implementation: GrpcImplementation): void
  /** Health status of '' and every registered service: SERVING or NOT_SERVING. */
  setServing(isServing: boolean): void
  /** Binds (insecure; TLS ends at the proxy) and resolves with the bound port; port 0 picks one. */
  listen(host: string, port: number): Promise<number>
  /** NOT_SERVING, then lets calls finish; after `timeoutMs` cancels whatever is left. */
  shutdown(timeoutMs: number): Promise<void>
}

export interface GrpcServerDeps {
  readonly metrics: Metrics
  readonly logger: Logger
  /** The largest message a call may send (bytes); grpc-js refuses larger ones with RESOURCE_EXHAUSTED. */
  readonly maxReceiveMessageBytes?: number
  /** Ends a call (UNAUTHENTICATED) when the credentials it authenticated with end. */
  readonly credentials?: CredentialWatch
}

/** grpc-js's own default receive limit (4 MiB), kept when no module needs more. */
export const GRPC_DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024

/** `/pulsebase.v1.Account/WhoAmI` -> `pulsebase.v1.Account`. */
function readServiceName(definition: ServiceDefinition): string {
  const first = Object.values(definition)[0]
  const name = first?.path.split('/')[1]
  if (!name) throw new Error('A gRPC service definition needs at least one method')
  return name
}

function wrapService(
  definition: ServiceDefinition,
  implementation: GrpcImplementation,
  deps: GrpcServerDeps,
): UntypedServiceImplementation {
  const service = readServiceName(definition)
  const wrapped: UntypedServiceImplementation = {}
  const known = new Set<string>()
  for (const [name, method] of Object.entries(definition)) {
    const aliases = [name, method.originalName].filter((alias): alias is string => alias !== undefined)
    aliases.forEach((alias) => known.add(alias))
    const matches = aliases.filter((alias) => Object.hasOwn(implementation, alias))
    if (matches.length !== 1) {
      throw new Error(
        `${service}/${name}: ${matches.length === 0 ? 'no handler' : `two handlers (${matches.join(', ')})`}`,
      )
    }
    const entry = implementation[matches[0] as string] as GrpcImplementation[string]
    const expected = methodType(method)
    if (entry.type !== expected)
      throw new Error(`${service}/${name} is ${expected} in the proto, but its handler is ${entry.type}`)
    wrapped[name] = wrapMethod(entry, method.path, deps)
  }
  const unknown = Object.keys(implementation).filter((key) => !known.has(key))
  if (unknown.length > 0) throw new Error(`${service} has no method(s) ${unknown.join(', ')}`)
  return wrapped
}

function address(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`
}

export function createGrpcServer(deps: GrpcServerDeps): GrpcServer {
  // grpc-js writes its own diagnostics to stderr; they go to our logger instead (the errors it
  // reports to us, such as a port in use, are reported by the caller).
  const grpcLog = deps.logger.child({ library: 'grpc-js' })
  setLogger({ error: (...args: unknown[]) => grpcLog.debug(args.map(String).join(' ')) })
  const server = new Server({
    interceptors: [metricsInterceptor(deps.metrics, deps.logger)],
    'grpc.max_receive_message_length': deps.maxReceiveMessageBytes ?? GRPC_DEFAULT_MAX_MESSAGE_BYTES,
  })
  const health = new HealthImplementation({ '': 'SERVING' })
  health.addToServer(server)
  const services: string[] = ['']
  let isServing = true
  const setServing = (serving: boolean) => {
    isServing = serving
    for (const name of services) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING')
  }

  return {
    addService(definition, implementation) {
      server.addService(definition, wrapService(definition, implementation, deps))
      const name = readServiceName(definition)
      services.push(name)
      health.setStatus(name, isServing ? 'SERVING' : 'NOT_SERVING')
    },

    setServing,

    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.bindAsync(address(host, port), ServerCredentials.createInsecure(), (error, boundPort) => {
          if (error) reject(error)
          else resolve(boundPort)
        })
      })
    },

    shutdown(timeoutMs) {
      setServing(false)
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          deps.logger.warn({ timeoutMs }, 'grpc calls still open at the shutdown deadline; cancelling them')
          server.forceShutdown()
          resolve()
        }, timeoutMs)
        server.tryShutdown(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    },
  }
}
