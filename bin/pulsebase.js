#!/usr/bin/env node
// Starts from the compiled JavaScript in dist/ (built by `npm install` through `prepare`). When the
// sources are newer than that build (a checkout being edited), it runs them through tsx instead, so
// a stale build is never what runs.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'

// Most of what the start allocates survives, and V8 would double its young generation for it up to
// 32 MB and keep that while idle. It keeps its first size until main() has started (then V8's
// default comes back: src/platform/memory/heap-trim.ts); about 20 MB less resident memory.
setFlagsFromString('--semi-space-growth-factor=1')

const built = new URL('../dist/.built', import.meta.url)
const sources = new URL('../src/', import.meta.url)

/** The newest modification time of any file under `dir` (0 when it does not exist). */
function newestIn(dir) {
  if (!existsSync(dir)) return 0
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs)
  }
  return newest
}

const isBuildCurrent = existsSync(built) && statSync(built).mtimeMs >= newestIn(sources)
let main
if (isBuildCurrent) {
  ;({ main } = await import('../dist/main.js'))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('../src/main.ts'))
}
process.exitCode = await main(process.argv.slice(2))
