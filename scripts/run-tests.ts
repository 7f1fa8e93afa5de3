// Finds every *.test.ts under src/ and test/ and runs them with node:test (Node 20 has no --test globs).
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { run } from 'node:test'
import { spec } from 'node:test/reporters'

function findTests(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return findTests(path)
    return name.endsWith('.test.ts') ? [path] : []
  })
}

const only = process.argv.slice(2)
const files = ['src', 'test']
  .flatMap(findTests)
  .filter((file) => only.length === 0 || only.some((part) => file.includes(part)))
  .sort()
console.log(`running ${files.length} test files: ${files.map((f) => relative('.', f)).join(' ')}`)

// A file gets ten minutes: the ML suites train real models on every database, and a loaded machine is slow.
const stream = run({ files, concurrency: 2, timeout: 600_000 })
stream.on('test:fail', () => {
  process.exitCode = 1
})
stream.compose(new spec()).pipe(process.stdout)
