// A reader thread: its own read-only connection to the SQLite file (WAL lets it read while the
// main connection writes), answering one SELECT at a time for the reader pool (sqlite-readers.ts).
import { workerData } from 'node:worker_threads'
import Sqlite from 'better-sqlite3'
import { serveTasks } from '../ml-runtime/worker-host.js'

interface ReadTask {
  readonly sql: string
  readonly parameters: readonly unknown[]
}

const { file } = (workerData as { options: { file: string } }).options
const db = new Sqlite(file, { readonly: true, fileMustExist: true })
db.pragma('busy_timeout = 5000')
const statements = new Map<string, Sqlite.Statement>()

serveTasks(async (raw) => {
  const task = raw as ReadTask
  let statement = statements.get(task.sql)
  if (statement === undefined) {
    statement = db.prepare(task.sql)
    if (statements.size >= 256) statements.clear()
    statements.set(task.sql, statement)
  }
  if (!statement.reader) throw new Error('the SQLite reader runs only statements that return rows')
  return statement.all(...task.parameters)
})
