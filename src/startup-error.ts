// Failures while starting, said in one line: what failed, where, why, and what to do.

/** A part pulsebase needs at start could not be opened or reached. `main` prints `message` and exits 1. */
export class StartupError extends Error {
  constructor(
    /** What failed and where, e.g. `PostgreSQL at db:5432/pulsebase`. */
    readonly part: string,
    /** What the operator can do about it. */
    readonly hint: string,
    cause: unknown,
  ) {
    super(`${part}: ${readReason(cause)}. ${hint}`, { cause })
    this.name = 'StartupError'
  }
}

type ErrorLike = { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown }

/** The innermost useful error: Node wraps several attempts (IPv4 and IPv6) in an AggregateError, adapters wrap a driver's error as `cause`. */
function innermost(error: unknown): ErrorLike {
  const e = (error ?? {}) as ErrorLike
  if (typeof e.code === 'string' && e.code !== 'ECONNREFUSED') return e
  if (Array.isArray(e.errors) && e.errors.length > 0) return innermost(e.errors[0])
  if (e.cause !== undefined && e.cause !== null) {
    const inner = innermost(e.cause)
    if (typeof inner.code === 'string') return inner
  }
  return e
}

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused (is the server running on that host and port?)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved now',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  EADDRINUSE: 'the port is already in use by another process',
  EADDRNOTAVAIL: 'that address is not one of this machine’s',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such file or directory',
  SQLITE_CANTOPEN: 'the file cannot be opened',
  SQLITE_READONLY: 'the file is read-only',
  SQLITE_NOTADB: 'the file is not a SQLite database',
  '28000': 'the role is not allowed to log in or does not exist',
  '28P01': 'the password was refused',
  '3D000': 'the database does not exist',
  ER_BAD_DB_ERROR: 'the database does not exist',
  ER_ACCESS_DENIED_ERROR: 'the user or password was refused',
  ER_DBACCESS_DENIED_ERROR: 'the user may not use that database',
}

/** A short reason for a driver or system error, from its code where one is known, else its own message. */
export function readReason(error: unknown): string {
  const e = innermost(error)
  // grpc-js reports a bind failure as text: "No address added … errors: [listen EADDRINUSE: …]".
  const codeInText =
    typeof e.message === 'string' ? /\b(EADDRINUSE|EADDRNOTAVAIL|EACCES)\b/.exec(e.message)?.[1] : undefined
  const code = typeof e.code === 'string' ? e.code : codeInText
  const known = code === undefined ? undefined : REASONS[code]
  const message = typeof e.message === 'string' && e.message !== '' ? e.message.split('\n')[0] : String(error)
  if (known === undefined) return message ?? 'unknown error'
  // PostgreSQL's and MariaDB's own messages name the role or database: keep them after the reason.
  return /^(28|3D|ER_)/.test(code ?? '') && message ? `${known} (${message})` : known
}

/** Runs one start-up step; any failure becomes a StartupError naming `part` with `hint`. */
export async function startupStep<T>(part: string, hint: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (error) {
    if (error instanceof StartupError) throw error
    throw new StartupError(part, hint, error)
  }
}

/** `scheme://user:secret@host:port/db` as `host:port/db`, so a password never reaches a message. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`
  } catch {
    return '(unparsable URL)'
  }
}
