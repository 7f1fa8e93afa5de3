import { createConnection } from 'node:net'

export interface Service {
  readonly name: string
  readonly host: string
  readonly port: number
}

export const POSTGRES: Service = { name: 'PostgreSQL', host: '127.0.0.1', port: 5432 }
export const MARIADB: Service = { name: 'MariaDB', host: '127.0.0.1', port: 3306 }
export const REDIS: Service = { name: 'Redis', host: '127.0.0.1', port: 6379 }
export const RABBITMQ: Service = { name: 'RabbitMQ', host: '127.0.0.1', port: 5672 }

const probes = new Map<Service, Promise<boolean>>()

/** True when something accepts a TCP connection at the service's address within a second. */
export function answers(service: Service): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: service.host, port: service.port, timeout: 1000 })
    const finish = (isUp: boolean) => {
      socket.destroy()
      resolve(isUp)
    }
    socket.once('connect', () => finish(true))
    socket.once('error', () => finish(false))
    socket.once('timeout', () => finish(false))
  })
}

/**
 * `undefined` when the service answers, else the skip reason (also printed). With
 * PULSEBASE_REQUIRE_SERVICES=1 (set by .ci/run) a missing service fails the run instead.
 */
export async function skipUnless(service: Service): Promise<string | undefined> {
  let probe = probes.get(service)
  if (!probe) {
    probe = answers(service)
    probes.set(service, probe)
  }
  if (await probe) return undefined
  const reason = `skipped: no ${service.name} at ${service.host}:${service.port}`
  if (process.env.PULSEBASE_REQUIRE_SERVICES === '1') throw new Error(`${reason} (required here)`)
  console.log(reason)
  return reason
}
