import { createConnection } from 'node:net'

export interface Service {
  readonly name: string
  /** Where the tests reach it: the `PULSEBASE_TEST_*_URL` variable when set, else the loopback default. */
  readonly url: string
  readonly host: string
  readonly port: number
}

function service(name: string, variable: string, fallback: string): Service {
  const url = process.env[variable] ?? fallback
  const parsed = new URL(url)
  const defaultPort = Number(new URL(fallback).port)
  // An IPv6 host comes back bracketed ([::1]); net.connect wants it bare.
  return {
    name,
    url,
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? defaultPort : Number(parsed.port),
  }
}

export const POSTGRES = service('PostgreSQL', 'PULSEBASE_TEST_POSTGRES_URL', 'postgres://postgres@127.0.0.1:5432/test')
export const MARIADB = service('MariaDB', 'PULSEBASE_TEST_MARIADB_URL', 'mysql://root@127.0.0.1:3306/test')
export const REDIS = service('Redis', 'PULSEBASE_TEST_REDIS_URL', 'redis://127.0.0.1:6379')
export const RABBITMQ = service('RabbitMQ', 'PULSEBASE_TEST_RABBITMQ_URL', 'amqp://guest:guest@127.0.0.1:5672')

/** `service`'s URL (credentials, path) pointed at another address, e.g. a TCP proxy in front of it. */
export function urlVia(service: Service, host: string, port: number): string {
  const url = new URL(service.url)
  url.hostname = host
  url.port = String(port)
  return url.toString()
}

const probes = new Map<Service, Promise<boolean>>()

/**
 * True when something accepts a TCP connection at the service's address within five seconds (a loaded
 * machine can keep this process from seeing the connect for more than a second).
 */
export function answers(service: Pick<Service, 'host' | 'port'>): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: service.host, port: service.port, timeout: 5000 })
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
