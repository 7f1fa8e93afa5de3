import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { loadConfig } from '../src/config.js'
import { buildApp, type App } from '../src/app.js'
import { registerDashboard } from '../src/platform/http/dashboard.js'
import { createHttpServer } from '../src/platform/http/http-server.js'
import { createLogger } from '../src/platform/logging/logger.js'
import { createMetrics } from '../src/platform/metrics/metrics.js'

const HTML = { accept: 'text/html,application/xhtml+xml' }

/** A server with only the dashboard routes, over a fake build in a temp folder (the real build is tested in the browser suite). */
async function dashboardServer(root: string) {
  const http = await createHttpServer({
    logger: createLogger('silent'),
    metrics: createMetrics(),
    bodyLimitBytes: 1024,
    isTrustProxy: false,
    version: 'test',
  })
  registerDashboard(http, root)
  await http.ready()
  return http
}

describe('serving the dashboard', () => {
  let root: string
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'pulsebase-web-'))
    mkdirSync(join(root, 'assets'))
    writeFileSync(
      join(root, 'index.html'),
      '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>',
    )
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)')
  })
  after(() => rmSync(root, { recursive: true, force: true }))

  test('index.html at / with a strict CSP, no-cache and nosniff', async () => {
    const http = await dashboardServer(root)
    const reply = await http.inject({ url: '/', headers: HTML })
    assert.equal(reply.statusCode, 200)
    assert.match(reply.headers['content-type'] as string, /text\/html/)
    assert.equal(reply.headers['cache-control'], 'no-cache')
    assert.equal(reply.headers['x-content-type-options'], 'nosniff')
    const csp = reply.headers['content-security-policy'] as string
    assert.match(csp, /script-src 'self'(;|$)/, 'no unsafe-inline or eval for scripts')
    assert.match(csp, /style-src 'self'(;|$)/)
    assert.match(csp, /frame-ancestors 'none'/)
    assert.doesNotMatch(csp, /unsafe/)
    await http.close()
  })

  test('hashed assets are immutable for a year; a missing one is the JSON 404', async () => {
    const http = await dashboardServer(root)
    const asset = await http.inject({ url: '/assets/index-abc123.js' })
    assert.equal(asset.statusCode, 200)
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable')
    assert.match(asset.headers['content-type'] as string, /javascript/)
    const missing = await http.inject({ url: '/assets/nope.js', headers: HTML })
    assert.equal(missing.statusCode, 404)
    assert.equal(missing.json().error.code, 'not_found')
    await http.close()
  })

  test('page paths fall back to index.html for browsers; API paths, file paths and API clients keep the JSON 404', async () => {
    const http = await dashboardServer(root)
    const page = await http.inject({ url: '/heart-rate?range=2', headers: HTML })
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /index-abc123/)
    assert.ok(page.headers['content-security-policy'])
    for (const [url, headers] of [
      ['/v1/nothing-here', HTML],
      ['/v1', HTML],
      ['/robots.txt', HTML],
      ['/heart-rate', { accept: 'application/json' }],
    ] as const) {
      const reply = await http.inject({ url, headers })
      assert.equal(reply.statusCode, 404, url)
      assert.deepEqual(Object.keys(reply.json()), ['error'], `${url} answers the JSON error body`)
    }
    assert.equal((await http.inject({ method: 'POST', url: '/heart-rate', headers: HTML })).statusCode, 404)
    await http.close()
  })

  test('without a build, / says how to build it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pulsebase-web-empty-'))
    const http = await dashboardServer(empty)
    const reply = await http.inject({ url: '/', headers: HTML })
    assert.equal(reply.statusCode, 503)
    assert.match(reply.json().error.message, /npm run build:web/)
    await http.close()
    rmSync(empty, { recursive: true, force: true })
  })

  test('the app registers the dashboard without hiding the API docs or the JSON 404 of /v1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pulsebase-app-'))
    const app: App = await buildApp(
      loadConfig({ PULSEBASE_DATA_DIR: dataDir, PULSEBASE_LOG_LEVEL: 'silent', PULSEBASE_JWT_SECRET: 'x'.repeat(40) }),
    )
    try {
      assert.equal((await app.http.inject({ url: '/openapi.json' })).statusCode, 200)
      const apiMiss = await app.http.inject({ url: '/v1/unknown', headers: HTML })
      assert.equal(apiMiss.statusCode, 404)
      assert.equal(apiMiss.json().error.code, 'not_found')
      const paths = Object.keys((await app.http.inject({ url: '/openapi.json' })).json().paths)
      assert.ok(!paths.includes('/*') && !paths.includes('/'), 'the dashboard routes stay out of the API document')
    } finally {
      await app.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
