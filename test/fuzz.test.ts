// Every route of the OpenAPI document (pulsebase's own and the seed adapters'), sent plausible and
// broken requests from a fixed seed: wrong types, null, 1e309, "Infinity", 2^53+1, 100k-item
// arrays, 10,000-level nesting, NUL, lone surrogates, BOM, invalid UTF-8, wrong content types, bad
// path and query values. Not one may answer 5xx, and afterwards every read still answers (issue 11).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { client, type Client, signUp, startTestApp, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { type FuzzRequest, type OpenApiDocument, listOperations, requestsFor, seededRandom } from './helpers/fuzz.js'

// A fixed seed and a bounded count keep the run short and repeatable; set these to explore further.
const SEED = Number(process.env.PULSEBASE_TEST_FUZZ_SEED ?? 20261130)
const MUTATIONS_PER_ROUTE = Number(process.env.PULSEBASE_TEST_FUZZ_MUTATIONS ?? 24)
const ADMIN = { email: 'fuzz-admin@example.com', password: 'fuzz admin password' }
/** Routes that by design wait for training to finish: not for a fuzz. */
const SKIPPED = new Set(['POST /train_model', 'POST /training/post/train'])

const targets = (await databaseTargets()).filter((t) => t.kind !== 'mysql')

async function send(baseUrl: string, request: FuzzRequest, token: string | undefined): Promise<number> {
  const headers: Record<string, string> = {}
  if (request.contentType !== undefined) headers['content-type'] = request.contentType
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  const response = await fetch(`${baseUrl}${request.url}`, {
    method: request.method,
    headers,
    body: typeof request.body === 'string' || request.body === undefined ? request.body : new Uint8Array(request.body),
  })
  await response.arrayBuffer()
  return response.status
}

for (const target of targets) {
  describe(`fuzz of every route on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client
    before(async () => {
      db = await target.create()
      server = await startTestApp({
        PULSEBASE_DATABASE_URL: db.url,
        PULSEBASE_COMPAT: 'mindsync,heartrate,m2m,csi',
        PULSEBASE_ADMIN_EMAIL: ADMIN.email,
        PULSEBASE_ADMIN_PASSWORD: ADMIN.password,
      })
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('no request answers 5xx, and every read answers afterwards', { timeout: 600_000 }, async () => {
      const doc = server.app.http.swagger() as unknown as OpenApiDocument
      const operations = listOperations(doc).filter((op) => !SKIPPED.has(`${op.method} ${op.path}`))
      const random = seededRandom(SEED)
      const admin = (await api.post('/v1/auth/login', ADMIN)).body.accessToken as string
      let user = await signUp(api)
      const failures: string[] = []
      let sent = 0
      for (const op of operations) {
        const token = op.path.startsWith('/v1/admin') ? admin : user.accessToken
        for (const request of requestsFor(op, doc, random, MUTATIONS_PER_ROUTE)) {
          const status = await send(server.url, request, token)
          sent += 1
          if (status >= 500)
            failures.push(`${status} ${request.method} ${request.url.slice(0, 120)} [${request.label}]`)
        }
        // A route that ended the session (logout, account deletion) leaves the next ones a fresh user.
        if ((await api.get('/v1/me', user.accessToken)).status !== 200) user = await signUp(api)
      }
      const reads = operations.filter((op) => op.method === 'GET' && !op.parameters.some((p) => p.in === 'path'))
      for (const op of reads) {
        for (const token of [user.accessToken, admin]) {
          const [plausible] = requestsFor(op, doc, random, 0)
          const status = await send(server.url, plausible as FuzzRequest, token)
          if (status >= 500) failures.push(`after the fuzz: ${status} ${op.method} ${op.path}`)
        }
      }
      console.log(
        `fuzz on ${target.kind}: ${sent} requests over ${operations.length} routes, ${failures.length} answered 5xx`,
      )
      assert.ok(sent > operations.length * MUTATIONS_PER_ROUTE * 0.5, 'the fuzz sent its requests')
      assert.deepEqual(failures, [])
    })
  })
}
