// Makes docs/dashboard-heart-rate.png, the README's picture of the heart-rate page: a throw-away
// server (temporary SQLite), half an hour of a workout sent by a device (with an alert episode and
// RR intervals), and Debian's Chromium. Run with `npm run screenshot` after `npm run build:web`.
import assert from 'node:assert/strict'
import { ensureDashboardBuilt } from '../src/platform/http/dashboard-build.js'
import { createLogger } from '../src/platform/logging/logger.js'
import { client, startTestApp } from '../test/helpers/app.js'
import { openBrowser } from '../test/helpers/browser.js'

const OUT = 'docs/dashboard-heart-rate.png'
const MINUTES = 30

/** A workout: rest, a climb to an effort over the high alert limit, then recovery; one sample a second. */
function workout(end: number) {
  const count = MINUTES * 60
  return Array.from({ length: count }, (_, i) => {
    const t = i / count
    const effort = t < 0.2 ? 0 : t < 0.55 ? (t - 0.2) / 0.35 : t < 0.65 ? 1 : Math.max(0, 1 - (t - 0.65) / 0.2)
    const bpm = Math.round(68 + effort * 92 + Math.sin(i / 17) * 3)
    const rr = Math.round(60_000 / bpm)
    return {
      timestamp: new Date(end - (count - i) * 1000).toISOString(),
      bpm,
      rrIntervalsMs: [rr + (i % 7) * 6, rr - (i % 5) * 5],
    }
  })
}

assert.ok(ensureDashboardBuilt(createLogger('info')), 'the dashboard must be built: npm run build:web')
const server = await startTestApp()
const browser = await openBrowser(server.url)
try {
  const api = client(server.url)
  const email = 'ada@example.com'
  const password = 'correct horse battery'
  const person = (await api.post('/v1/auth/register', { email, password, displayName: 'Ada' })).body
  await api.patch('/v1/me', { settings: { maxHeartRate: 185, restingHeartRate: 58 } }, person.accessToken)
  const device = (await api.post('/v1/devices', { name: 'chest strap', kind: 'watch' }, person.accessToken)).body
  const stored = await api.post('/v1/heart-rate/samples', { samples: workout(Date.now() - 5_000) }, device.apiKey)
  assert.equal(stored.status, 200)

  const page = browser.page
  await page.setViewportSize({ width: 1200, height: 900 })
  await page.goto('/sign-in')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { level: 1, name: 'Heart rate' }).waitFor()
  await page.getByLabel('Range').selectOption({ label: 'last hour' })
  await page.getByText(/alert episode marked$/).waitFor()
  await page.getByText(/with RR intervals$/).waitFor()
  await page
    .getByRole('status', { name: 'Live updates' })
    .filter({ hasText: /^Live$/ })
    .waitFor()
  await page.screenshot({ path: OUT, fullPage: true })
  assert.deepEqual(browser.errors, [])
  console.log(`wrote ${OUT}`)
} finally {
  await browser.close()
  await server.close()
}
