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

/**
 * The socket's next `event`. Gives up after `limitMs` (60 s: a first training on a loaded machine
 * starts its thread and loads TensorFlow.js first); a limit on waiting, not an assertion on time.
 */
export function next<T = any>(socket: Socket, event: string, limitMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event within ${limitMs / 1000} s`)), limitMs)
    socket.once(event, (data: T) => {
      clearTimeout(timer)
      resolve(data)
    })
  })
}
