// The container files cannot be built here (no Docker engine), so they are held to the README's
// scale-out section instead: the same variables on every pulsebase service, the same layout.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { parse } from 'yaml'

const root = join(import.meta.dirname, '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
// merge: Compose reads `<<: *anchor` keys as YAML 1.1 merges.
const compose = parse(readFileSync(join(root, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; image?: string }>
}
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8')

/** `export PULSEBASE_X=...` names in the first sh block of the README's scale-out section. */
function scaleOutVariables(): string[] {
  const section = readme.slice(readme.indexOf('## Running on PostgreSQL'))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  return [...block.matchAll(/^export (PULSEBASE_\w+)=/gm)].map((m) => m[1] as string)
}

describe('deployment files', () => {
  test('compose.yaml has the README layout: PostgreSQL, RabbitMQ, Redis, a migration, two API processes and a worker', () => {
    const services = compose.services
    for (const name of ['postgres', 'rabbitmq', 'redis', 'migrate', 'api-1', 'api-2', 'worker'])
      assert.ok(services[name], `service ${name}`)
    assert.deepEqual(services['migrate']?.command, ['migrate'])
    assert.deepEqual(services['api-1']?.command, ['serve'])
    assert.deepEqual(services['api-2']?.command, ['serve'])
    assert.deepEqual(services['worker']?.command, ['worker'])
  })

  test('every pulsebase service has exactly the variables the README tells an operator to set', () => {
    const expected = scaleOutVariables()
    assert.ok(expected.length >= 5, `the README lists the scale-out variables (${expected.join(', ')})`)
    for (const name of ['migrate', 'api-1', 'api-2', 'worker']) {
      const env = compose.services[name]?.environment ?? {}
      assert.deepEqual(Object.keys(env).sort(), [...expected].sort(), `${name}'s environment`)
      assert.equal(env.PULSEBASE_EMBEDDED_WORKER, 'false')
      assert.match(env.PULSEBASE_DATABASE_URL ?? '', /^postgres:\/\/pulsebase:.*@postgres:5432\/pulsebase$/)
      assert.match(env.PULSEBASE_QUEUE_URL ?? '', /^amqp:\/\/.*@rabbitmq:5672$/)
      assert.equal(env.PULSEBASE_REDIS_URL, 'redis://redis:6379')
    }
  })

  test('the Dockerfile builds in one stage, runs as a non-root user in another, and checks /readyz', () => {
    assert.ok((dockerfile.match(/^FROM /gm) ?? []).length >= 2, 'multi-stage')
    assert.match(dockerfile, /^USER node$/m)
    assert.match(dockerfile, /^HEALTHCHECK [\s\S]*\/readyz/m)
    assert.match(dockerfile, /^ENTRYPOINT \["node", "bin\/pulsebase.js"\]$/m)
  })
})
