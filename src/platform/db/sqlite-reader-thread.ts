// A reader thread: its own read-only connection to the SQLite file (WAL lets it read while the
// main connection writes), answering one task at a time for the reader pool (sqlite-readers.ts):
// a SELECT, or a read task (read-tasks.ts) imported from a module of this application.
import { setPriority } from 'node:os'
import { workerData } from 'node:worker_threads'
import Sqlite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { serveTasks } from '../ml-runtime/worker-host.js'
import type { ReadTask, ReadTaskMessage } from './read-tasks.js'
import type { Database } from './schema.js'

interface ReadStatement {
  readonly sql: string
  readonly parameters: readonly unknown[]
}

/** Read tasks come only from this application's own modules (src/ or dist/). */
const APP_ROOT = new URL('../../', import.meta.url).href

const { file, nice } = (workerData as { options: { file: string; nice?: number } }).options
if (nice !== undefined) {
  try {
    // Linux keeps the nice value per thread: only this thread yields (sqlite-readers.ts).
    setPriority(nice)
  } catch {
    // Not permitted here: run at normal priority.
  }
}
const db = new Sqlite(file, { readonly: true, fileMustExist: true })
db.pragma('busy_timeout = 5000')
const statements = new Map<string, Sqlite.Statement>()
let kysely: Kysely<Database> | undefined

function prepare(text: string): Sqlite.Statement {
  let statement = statements.get(text)
  if (statement === undefined) {
    statement = db.prepare(text)
    if (statements.size >= 256) statements.clear()
    statements.set(text, statement)
  }
  return statement
}

async function runReadTask(message: ReadTaskMessage): Promise<unknown> {
  if (!message.module.startsWith(APP_ROOT))
    throw new Error(`read task module ${message.module} is not this application's`)
  const task = ((await import(message.module)) as Record<string, unknown>)[message.name] as
    ReadTask<unknown, unknown> | undefined
  if (typeof task?.run !== 'function') throw new Error(`${message.module} has no read task ${message.name}`)
  // Kysely over this thread's own connection, with its statements cached like the main one's.
  kysely ??= new Kysely<Database>({
    dialect: new SqliteDialect({ database: { close: () => db.close(), prepare } }),
  })
  return task.run(kysely, message.args)
}

serveTasks(async (raw) => {
  if ('module' in (raw as object)) return runReadTask(raw as ReadTaskMessage)
  const task = raw as ReadStatement
  const statement = prepare(task.sql)
  if (!statement.reader) throw new Error('the SQLite reader runs only statements that return rows')
  return statement.all(...task.parameters)
})
