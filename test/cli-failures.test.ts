import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { runCli, tempDataDirs } from './helpers/cli.js'
import { createServer, type Server } from 'node:net'
import { POSTGRES, skipUnless } from './helpers/services.js'

const dataDir = tempDataDirs()

describe('pulsebase CLI: help, misuse and start-up failures', () => {
  test('serve --help prints its usage and starts nothing; --version prints the version', async () => {
    const help = await runCli(['serve', '--help'], { PULSEBASE_DATA_DIR: join(dataDir(), 'never-created') })
    assert.equal(help.code, 0)
    assert.match(help.output, /^usage: pulsebase serve/)
    const version = await runCli(['--version'], {})
    assert.equal(version.code, 0)
    assert.match(version.output.trim(), /^\d+\.\d+\.\d+$/)
  })

  test('misuse exits 2 with the reason and the command’s usage, never a stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['simulate', '--help'], /^usage: pulsebase simulate/],
      [['simulate', '--bogus'], /unknown option --bogus/],
      [['simulate', '--users', 'many'], /--users must be a whole number of at least 1 \(got "many"\)/],
      [['migrate', '--bogus'], /unknown option --bogus/],
      [['user', 'create', '--email', 'a@example.com'], /--password is required/],
      [['user', 'remove'], /expected "create", got "remove"/],
      [['frobnicate'], /unknown command "frobnicate"/],
    ]
    for (const [args, reason] of cases) {
      const result = await runCli(args, { PULSEBASE_DATA_DIR: join(dataDir(), 'never-created') })
      assert.equal(result.code, args.includes('--help') ? 0 : 2, `${args.join(' ')}: ${result.output}`)
      assert.match(result.output, reason)
      assert.doesNotMatch(result.output, /\n\s+at /, `${args.join(' ')} printed a stack trace`)
    }
  })

  test('a misspelt PULSEBASE_ variable is named with the setting it probably meant', async () => {
    const result = await runCli(['migrate'], { PULSEBASE_DATA_DIR: dataDir(), PULSEBASE_HTPP_PORT: '8081' })
    assert.equal(result.code, 0, result.output)
    assert.match(
      result.output,
      /warning: PULSEBASE_HTPP_PORT is not a pulsebase setting and is ignored; did you mean PULSEBASE_HTTP_PORT\?/,
    )
  })

  test('an unreachable database or broker, or a port in use, is one line saying what, where and what to do, exit 1', async () => {
    const blocker: Server = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const busyPort = (blocker.address() as { port: number }).port
    // A port nothing listens on: take one and free it.
    const free: Server = createServer()
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve))
    const closedPort = (free.address() as { port: number }).port
    await new Promise((resolve) => free.close(resolve))
    try {
      // warn: the migration's info lines would come before the one line under test.
      const base = {
        PULSEBASE_DATA_DIR: dataDir(),
        PULSEBASE_HOST: '127.0.0.1',
        PULSEBASE_GRPC_PORT: '0',
        PULSEBASE_LOG_LEVEL: 'warn',
      }
      const cases: [Record<string, string>, RegExp][] = [
        [
          { PULSEBASE_DATABASE_URL: `postgres://pulsebase:secret-pw@127.0.0.1:${closedPort}/pulsebase` },
          new RegExp(
            `PostgreSQL at 127.0.0.1:${closedPort}/pulsebase: the connection was refused .*PULSEBASE_DATABASE_URL`,
          ),
        ],
        [
          { PULSEBASE_QUEUE_URL: `amqp://guest:secret-pw@127.0.0.1:${closedPort}` },
          new RegExp(`RabbitMQ at 127.0.0.1:${closedPort}: the connection was refused .*PULSEBASE_QUEUE_URL`),
        ],
        [
          { PULSEBASE_REDIS_URL: `redis://:secret-pw@127.0.0.1:${closedPort}` },
          new RegExp(`Redis at 127.0.0.1:${closedPort}: the connection was refused .*PULSEBASE_REDIS_URL`),
        ],
        [
          { PULSEBASE_HTTP_PORT: String(busyPort) },
          new RegExp(
            `HTTP on 127.0.0.1:${busyPort}: the port is already in use by another process. .*PULSEBASE_HTTP_PORT`,
          ),
        ],
        [
          { PULSEBASE_HTTP_PORT: '0', PULSEBASE_GRPC_PORT: String(busyPort) },
          new RegExp(`gRPC on 127.0.0.1:${busyPort}: the port is already in use .*PULSEBASE_GRPC_PORT`),
        ],
      ]
      for (const [env, expected] of cases) {
        const result = await runCli(['serve'], { ...base, ...env })
        assert.equal(result.code, 1, result.output)
        const lines = result.output.trim().split('\n')
        assert.equal(lines.length, 1, `one line, got: ${result.output}`)
        assert.match(lines[0] ?? '', /^pulsebase: cannot start: /)
        assert.match(result.output, expected)
        assert.equal(result.output.includes('secret-pw'), false, 'no password in the message')
      }
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })

  test('an unknown PostgreSQL role or database is named in the one line', async (t) => {
    const skip = await skipUnless(POSTGRES)
    if (skip) return t.skip(skip)
    const base = {
      PULSEBASE_DATA_DIR: dataDir(),
      PULSEBASE_HOST: '127.0.0.1',
      PULSEBASE_HTTP_PORT: '0',
      PULSEBASE_GRPC_PORT: '0',
    }
    const role = await runCli(['serve'], {
      ...base,
      PULSEBASE_DATABASE_URL: 'postgres://no_such_role_pb@127.0.0.1:5432/test',
    })
    assert.equal(role.code, 1, role.output)
    assert.match(
      role.output.trim(),
      /^pulsebase: cannot start: PostgreSQL at 127.0.0.1:5432\/test: the role .*"no_such_role_pb" does not exist/,
    )
    const database = await runCli(['serve'], {
      ...base,
      PULSEBASE_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/no_such_db_pb',
    })
    assert.equal(database.code, 1, database.output)
    assert.match(
      database.output.trim(),
      /^pulsebase: cannot start: PostgreSQL at 127.0.0.1:5432\/no_such_db_pb: the database does not exist/,
    )
  })
})
