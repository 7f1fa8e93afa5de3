// The set-up most integration suites share: a fresh database of one target, the app started on it,
// and a JSON client; closed and dropped again after the suite.
import type { Logger } from 'pino'
import type { Clock } from '../../src/platform/time/clock.js'
import { client, type Client, startTestApp, type TestApp } from './app.js'
import type { DatabaseTarget } from './databases.js'

/** An app on a database made for it. */
export interface DatabaseApp {
  readonly server: TestApp
  readonly api: Client
  /** Closes the app, then drops its database. */
  close(): Promise<void>
}

/**
 * Creates a database of `target`, starts the app on it with `env` (and its queue worker when
 * `hasWorker`), and a client on it. On a failure the database is dropped again.
 */
export async function startDatabaseApp(
  target: DatabaseTarget,
  env: Record<string, string> = {},
  options: { hasWorker?: boolean; now?: Clock; logger?: Logger } = {},
): Promise<DatabaseApp> {
  const { hasWorker = false, ...appOptions } = options
  const db = await target.create()
  let server: TestApp | undefined
  try {
    server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url, ...env }, appOptions)
    if (hasWorker) await server.app.startWorker()
    const started = server
    return {
      server,
      api: client(server.url),
      async close() {
        await started.close()
        await db.drop()
      },
    }
  } catch (error) {
    await server?.close()
    await db.drop()
    throw error
  }
}
