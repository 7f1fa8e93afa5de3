import { createConnection, createServer, type Server, type Socket } from 'node:net'

/** A loopback TCP relay a test can cut, to play a dead worker or a restarted broker. */
export interface TcpProxy {
  readonly port: number
  /** Drops every relayed connection and refuses new ones until `resume()`. */
  cut(): Promise<void>
  resume(): Promise<void>
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const relay = (client: Socket) => {
    const upstream = createConnection({ host: targetHost, port: targetPort })
    track(client)
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  }
  let server = createServer(relay)
  const port = await listen(server, 0)
  return {
    port,
    async cut() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
    },
    async resume() {
      server = createServer(relay)
      await listen(server, port)
    },
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}
