import { io, type Socket } from 'socket.io-client'

/** A `/v1` socket that has finished its handshake and subscription (the server says `ready`). */
export async function connect(url: string, token: string): Promise<Socket> {
  const socket = io(`${url}/v1`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false })
  await new Promise<void>((resolve, reject) => {
    socket.once('ready', () => resolve())
    socket.once('connect_error', reject)
  })
  return socket
}

export function next<T = any>(socket: Socket, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event within 10 s`)), 10_000)
    socket.once(event, (data: T) => {
      clearTimeout(timer)
      resolve(data)
    })
  })
}
