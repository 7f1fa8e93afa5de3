// Regenerates TypeScript types for every .proto under proto/ into src/generated/proto.
// CI runs this and fails when the result differs from what is committed.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const PROTO_DIR = 'proto'
const OUT_DIR = 'src/generated/proto'

function walk(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return walk(path, suffix)
    return name.endsWith(suffix) ? [path] : []
  })
}

const protos = walk(PROTO_DIR, '.proto')
  .map((file) => relative(PROTO_DIR, file))
  .sort()
rmSync(OUT_DIR, { recursive: true, force: true })
execFileSync(
  'node_modules/.bin/proto-loader-gen-types',
  [
    '--longs=Number',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--grpcLib=@grpc/grpc-js',
    '-I',
    PROTO_DIR,
    '-O',
    OUT_DIR,
    ...protos,
  ],
  { stdio: 'inherit' },
)
// The generator writes extensionless relative imports; ESM with nodenext needs `.js`.
for (const file of walk(OUT_DIR, '.ts')) {
  const text = readFileSync(file, 'utf8').replace(/from '(\.{1,2}\/[^']+)'/g, "from '$1.js'")
  writeFileSync(file, text)
}
console.log(`generated types for ${protos.join(', ')}`)
