// Every setting pulsebase reads is documented in the README's table and in .env.example, and
// neither names a setting that does not exist.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { EnvSchema } from '../src/config.js'

const root = join(import.meta.dirname, '..')
const settings = Object.keys(EnvSchema.properties).sort()

test('the README configuration table lists exactly the settings pulsebase reads', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = readme.slice(
    readme.indexOf('## Configuration'),
    readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5),
  )
  const documented = [...section.matchAll(/^\| `(PULSEBASE_\w+)`(?: \/ `(PULSEBASE_\w+)`)? \|/gm)].flatMap((m) =>
    [m[1], m[2]].filter((x): x is string => x !== undefined),
  )
  assert.deepEqual([...new Set(documented)].sort(), settings)
})

test('.env.example lists exactly the settings pulsebase reads', () => {
  const example = readFileSync(join(root, '.env.example'), 'utf8')
  const listed = [...example.matchAll(/^# (PULSEBASE_\w+)=/gm)].map((m) => m[1] as string)
  assert.deepEqual(listed.sort(), settings)
})
