import type { CompatAdapter, Config } from '../config.js'
import type { Module } from '../module.js'
import type { GrpcServer } from '../platform/grpc/grpc-server.js'
import type { HttpServer } from '../platform/http/http-server.js'
import type { SocketServer } from '../platform/socket/socket-server.js'

/** One adapter's own port: an HTTP server with its routes, or a gRPC server with its services (the heartrate seed). */
export interface CompatListener {
  readonly adapter: CompatAdapter
  readonly port: number
  /** Binds the port (0: a free one); resolves the bound port. */
  listen(host: string): Promise<number>
  close(timeoutMs: number): Promise<void>
}

/**
 * A server per PULSEBASE_COMPAT_PORTS entry holding that adapter's module alone, its paths as on the
 * seed's own server, and its Socket.IO events when it has any (the DLP's 2022 events on `/`).
 * `newHttp`/`newGrpc`/`newSockets` make bare servers with the main listener's limits and auth.
 */
export async function createCompatListeners(
  ports: Config['compatPorts'],
  modules: readonly Module[],
  newHttp: () => Promise<HttpServer>,
  newGrpc: () => GrpcServer,
  newSockets: (http: HttpServer) => SocketServer,
): Promise<CompatListener[]> {
  const listeners: CompatListener[] = []
  for (const { adapter, port } of ports) {
    const module = modules.find((m) => m.name === `compat:${adapter}`)
    if (module?.http !== undefined) {
      const http = await newHttp()
      await module.http(http, { isOwnPort: true })
      const sockets = module.sockets === undefined ? undefined : newSockets(http)
      if (sockets !== undefined) module.sockets?.(sockets)
      listeners.push({
        adapter,
        port,
        listen: async (host) => Number(new URL(await http.listen({ host, port })).port),
        close: async () => {
          await sockets?.close()
          await http.close()
        },
      })
    } else if (module?.grpc !== undefined) {
      const grpc = newGrpc()
      module.grpc(grpc)
      listeners.push({
        adapter,
        port,
        listen: (host) => grpc.listen(host, port),
        close: (timeoutMs) => grpc.shutdown(timeoutMs),
      })
    }
  }
  return listeners
}
