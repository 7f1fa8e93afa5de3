import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import type { Page } from 'playwright-core'
import type { Client, TestApp } from '../helpers/app.js'
import {
  type BrowserApp,
  type BrowserSession,
  skipUnlessChromium,
  startBrowserApp,
  takeScreenshot,
} from '../helpers/browser.js'
import { gameSession } from '../helpers/game-sessions.js'
import { simulatedSessions, toV1Body } from '../helpers/meditation.js'

const PERSON = { email: 'grace@example.com', password: 'correct horse battery', name: 'Grace' }
const ADMIN = { email: 'ops@example.com', password: 'admin password 123' }

async function heading(page: Page, name: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor()
}

async function openPage(page: Page, link: string, title: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: link }).click()
  await heading(page, title)
}

/** Heart-rate samples `secondsAgo` before now, as a device sends them. */
function samplesAt(bpms: number[], firstSecondsAgo: number) {
  const now = Date.now()
  return {
    samples: bpms.map((bpm, i) => ({
      timestamp: new Date(now - (firstSecondsAgo - i) * 1000).toISOString(),
      bpm,
      rrIntervalsMs: [800 + i * 7, 790, 830],
    })),
  }
}

describe('the dashboard in a real browser', { skip: skipUnlessChromium() }, () => {
  let started: BrowserApp | undefined
  let server: TestApp
  let api: Client
  let browser: BrowserSession
  let page: Page
  let deviceKey: string

  before(async () => {
    started = await startBrowserApp({
      PULSEBASE_MEDITATION_MIN_PERIODS: '20',
      PULSEBASE_ADMIN_EMAIL: ADMIN.email,
      PULSEBASE_ADMIN_PASSWORD: ADMIN.password,
    })
    ;({ server, api, browser, page } = started)
  })
  after(async () => {
    await started?.close()
  })

  test('sign up; the session survives a reload and its refresh token is out of reach of scripts; sign out; a wrong password shows the server message; sign in with the keyboard', async () => {
    await page.goto('/')
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await takeScreenshot(page, 'sign-in')
    await page.getByRole('link', { name: 'New here? Create an account' }).click()
    await page.getByLabel('Email').fill(PERSON.email)
    await page.getByLabel('Password').fill(PERSON.password)
    await page.getByLabel('Display name (optional)').fill(PERSON.name)
    await page.getByRole('button', { name: 'Create account' }).click()
    await heading(page, 'Heart rate')
    assert.equal(await page.getByRole('link', { name: 'Admin' }).count(), 0, 'no admin page for a user')

    await page.reload()
    await heading(page, 'Heart rate')
    const stored = await page.evaluate(() =>
      JSON.stringify({ cookie: document.cookie, local: { ...localStorage }, session: { ...sessionStorage } }),
    )
    assert.doesNotMatch(stored, /pbr_|eyJ/, 'no refresh or access token in cookies or storage that scripts can read')

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByText('You are signed out.').waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()

    await browser.expectingErrors(/401/, async () => {
      await page.getByLabel('Email').fill(PERSON.email)
      await page.getByLabel('Password').fill('not the password')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('alert').filter({ hasText: 'Email or password is wrong' }).waitFor()
    })
    await page.getByLabel('Password').fill(PERSON.password)
    await page.getByLabel('Password').press('Enter')
    await heading(page, 'Heart rate')
  })

  test('profile: settings are saved, and a rule the server enforces shows its message', async () => {
    await openPage(page, 'Profile', 'Profile and settings')
    await page.getByLabel('Maximum heart rate (bpm)').fill('190')
    await page.getByLabel('Resting heart rate (bpm)').fill('60')
    await browser.expectingErrors(/400/, async () => {
      await page.getByLabel('Low alert below (bpm)').fill('160')
      await page.getByRole('button', { name: 'Save settings' }).click()
      await page.getByRole('alert').filter({ hasText: 'lowAlert must be below highAlert' }).waitFor()
    })
    await page.getByLabel('Low alert below (bpm)').fill('50')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.getByText('Saved.').waitFor()
    await takeScreenshot(page, 'profile')
  })

  test('devices: the key is shown once with a copy button and the lines to use it; rename; revoke', async () => {
    await openPage(page, 'Devices', 'Devices')
    await page.getByLabel('Device name').fill('chest strap')
    await page.getByLabel('Kind').selectOption('watch')
    await page.getByRole('button', { name: 'Add device' }).click()
    await page.getByRole('heading', { name: 'Key for chest strap' }).waitFor()
    deviceKey = await page.getByLabel('API key').inputValue()
    assert.match(deviceKey, /^pbd_/)
    await page.getByRole('button', { name: 'Copy key' }).click()
    await page.getByText('Key copied.').waitFor()
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), deviceKey)
    assert.match(await page.getByLabel('curl command').innerText(), new RegExp(`Bearer ${deviceKey}`))
    await takeScreenshot(page, 'devices-new-key')
    await page.getByRole('button', { name: 'I have stored the key' }).click()
    assert.equal(await page.getByLabel('API key').count(), 0, 'the key is gone once dismissed')

    await page.getByRole('button', { name: 'Rename chest strap' }).click()
    await page.getByLabel('New name for chest strap').fill('polar strap')
    await page.getByRole('button', { name: 'Save name' }).click()
    await page.getByRole('cell', { name: 'polar strap', exact: true }).waitFor()

    await page.getByLabel('Device name').fill('old phone')
    await page.getByLabel('Kind').selectOption('phone')
    await page.getByRole('button', { name: 'Add device' }).click()
    await page.getByRole('button', { name: 'I have stored the key' }).click()
    page.once('dialog', (dialog) => void dialog.accept())
    await page.getByRole('button', { name: 'Revoke old phone' }).click()
    await page
      .getByRole('row', { name: /old phone/ })
      .getByRole('cell', { name: 'Revoked' })
      .waitFor()
    await takeScreenshot(page, 'devices')
  })

  test('heart rate: the current value and the live chart update without a reload; an alert band appears; acknowledge; CSV export', async () => {
    await openPage(page, 'Heart rate', 'Heart rate')
    await page
      .getByRole('status', { name: 'Live updates' })
      .filter({ hasText: /^Live$/ })
      .waitFor()
    await page.evaluate(() => Object.assign(window, { untouchedSinceLoad: true }))
    const current = page.getByRole('status', { name: 'Current heart rate' })
    assert.equal(await current.innerText(), '—')

    const first = await api.post('/v1/heart-rate/samples', samplesAt([72, 75], 30), deviceKey)
    assert.equal(first.body.stored, 2)
    await current.filter({ hasText: /^75$/ }).waitFor()
    await page.getByText('Live: 2 samples in the last 5 minutes').waitFor()

    const high = await api.post('/v1/heart-rate/samples', samplesAt([160, 165, 170], 20), deviceKey)
    assert.deepEqual(
      high.body.alerts.map((a: { kind: string }) => a.kind),
      ['HIGH'],
    )
    await current.filter({ hasText: /^170$/ }).waitFor()
    await page.getByText('Live: 5 samples in the last 5 minutes').waitFor()
    await page.getByText(/; 1 alert episode marked$/).waitFor()
    assert.equal(
      await page.evaluate(() => (window as { untouchedSinceLoad?: boolean }).untouchedSinceLoad),
      true,
      'no reload happened',
    )

    const acknowledge = page.getByRole('button', { name: /^Acknowledge HIGH alert opened / })
    await acknowledge.click()
    await acknowledge.waitFor({ state: 'detached' })
    const [alert] = (await api.get('/v1/heart-rate/alerts', deviceKey)).body.alerts
    assert.notEqual(alert.acknowledgedAt, null)

    await page.getByText(/Percent of maximum|Karvonen/).waitFor()
    await page.getByText(/^\d+ (hours?|minutes?) with RR intervals$/).waitFor()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ])
    assert.equal(download.suggestedFilename(), 'heart-rate.csv')
    const csv = readFileSync((await download.path()) as string, 'utf8')
      .trim()
      .split('\n')
    assert.equal(csv[0], 'timestamp,bpm,device_id,alert,rr_intervals_ms')
    assert.deepEqual(
      csv.slice(1).map((line) => Number(line.split(',')[1])),
      [72, 75, 160, 165, 170],
    )

    await takeScreenshot(page, 'heart-rate')
    await page.setViewportSize({ width: 375, height: 812 })
    // Charts take the new width from a ResizeObserver, a frame or more after the viewport changes:
    // wait for the layout to settle there (a page that never fits fails on the test's timeout).
    await page.waitForFunction(() => document.documentElement.scrollWidth <= 375, null, { timeout: 10_000 })
    await takeScreenshot(page, 'heart-rate-375px')
    await page.setViewportSize({ width: 1280, height: 900 })
  })

  test('game sessions: a newly processed session appears live, with its per-channel analysis and the progress chart', async () => {
    await openPage(page, 'Game sessions', 'Game sessions')
    await page.getByText('No game sessions yet.', { exact: false }).waitFor()
    const upload = await api.post('/v1/game-sessions', gameSession(), deviceKey)
    assert.equal(upload.status, 202)
    await page.getByRole('status').filter({ hasText: 'Session of Tap speed processed.' }).waitFor()
    await page.getByRole('cell', { name: 'processed' }).waitFor()
    await page.getByRole('button', { name: /^Show analysis of Tap speed/ }).click()
    await page.getByRole('table', { name: 'Per channel, per axis' }).getByRole('rowheader', { name: 'imu' }).waitFor()
    await page.getByText(/^1 sessions; best 42/).waitFor()
    await takeScreenshot(page, 'game-sessions')
  })

  test('meditation: train the recommender and watch the loss curve grow live, then ask for a configuration', async () => {
    for (const session of simulatedSessions(7, 20).sessions)
      assert.equal((await api.post('/v1/meditation/sessions', toV1Body(session), deviceKey)).status, 201)
    await openPage(page, 'Meditation', 'Meditation')
    await page.getByText(/^5 periods, 75 measurements/).waitFor()
    // Every value the loss chart's caption takes, in order, as the page changes it.
    await page.evaluate(() => {
      const seen: number[] = []
      Object.assign(window, { lossEpochsSeen: seen })
      new MutationObserver(() => {
        const caption = [...document.querySelectorAll('figcaption')]
          .map((f) => f.textContent ?? '')
          .find((t) => t.startsWith('Loss curve:'))
        const epochs = Number(/^Loss curve: (\d+)/.exec(caption ?? '')?.[1] ?? Number.NaN)
        if (!Number.isNaN(epochs) && seen.at(-1) !== epochs) seen.push(epochs)
      }).observe(document.body, { subtree: true, childList: true, characterData: true })
    })
    await page.getByRole('button', { name: 'Train the recommender' }).click()
    await page
      .getByRole('status')
      .filter({ hasText: /: succeeded$/ })
      .waitFor({ timeout: 120_000 })
    const seen = await page.evaluate(() => (window as { lossEpochsSeen?: number[] }).lossEpochsSeen ?? [])
    const [job] = (await api.get('/v1/training-jobs', deviceKey)).body.trainingJobs
    assert.ok(seen.length >= 3, `the curve grew epoch by epoch on the page (saw ${JSON.stringify(seen)})`)
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      seen,
      'it only grew',
    )
    assert.equal(seen.at(-1), job.epochs.length, 'it ends with every stored epoch')

    await page.getByRole('button', { name: 'Recommend a configuration' }).click()
    const recommendation = page.getByRole('definition').filter({ hasText: / bpm$/ })
    await recommendation.waitFor()
    assert.match(await page.getByLabel('Recommendation').innerText(), /Predicted heart rate/)
    await takeScreenshot(page, 'meditation')
  })

  test('training: the jobs with their loss curve and the models with held-out error next to the baseline', async () => {
    await openPage(page, 'Training', 'Training jobs and models')
    await page.getByRole('cell', { name: 'succeeded' }).waitFor()
    await page.getByRole('columnheader', { name: 'Baseline MAE (bpm)' }).waitFor()
    await page.getByText(/ \((does not )?beat(s)? the baseline\)$/).waitFor()
    await page.getByText(/^Loss curve: \d+ epochs/).waitFor()
    await takeScreenshot(page, 'training')
  })

  test("sensors: a stream's newest frame live, a dataset's quality report, a classifier trained live with its confusion matrix", async () => {
    const person = (await api.post('/v1/auth/login', { email: PERSON.email, password: PERSON.password })).body
      .accessToken as string
    const rows = ['closed', 'ajar', 'open'].flatMap((label, c) =>
      Array.from({ length: 15 }, (_, i) => `${label},${c * 10 + (i % 5) * 0.3},${c * -4 + (i % 3) * 0.2}`),
    )
    const dataset = await api.post('/v1/sensor-datasets', { name: 'door' }, person)
    assert.equal(dataset.status, 201, JSON.stringify(dataset.body))
    const imported = await fetch(`${server.url}/v1/sensor-datasets/${dataset.body.id}/import?format=generic`, {
      method: 'POST',
      headers: { authorization: `Bearer ${person}`, 'content-type': 'text/csv' },
      body: `label,a,b\n${rows.join('\n')}\n`,
    })
    assert.equal(imported.status, 201, await imported.text())

    await openPage(page, 'Sensors', 'Sensors')
    await page.getByText('No frames yet.', { exact: false }).waitFor()
    const t = Date.now() - 5000
    const frames = [0, 1, 2].map((i) => ({
      kind: 'imu',
      timestamp: t + i,
      channels: { accel: [i, 1, 2], gyro: [3, i] },
    }))
    assert.equal((await api.post('/v1/sensor-frames', { frames }, deviceKey)).body.stored, 3)
    await page
      .getByRole('status', { name: 'Newest frame' })
      .filter({ hasText: /3 frames received/ })
      .waitFor()
    await page.getByRole('img', { name: "The stream's newest frame, values per channel index" }).waitFor()

    await page.getByRole('button', { name: 'Show the quality report of door' }).click()
    await page
      .getByRole('status', { name: 'Verdict' })
      .filter({ hasText: /^separable:/ })
      .waitFor()
    await page.getByRole('button', { name: 'Train a classifier on door' }).click()
    await page
      .getByRole('status', { name: 'Classifier training' })
      .filter({ hasText: /: succeeded,/ })
      .waitFor({ timeout: 120_000 })
    const matrix = page.getByRole('table', { name: /^Confusion matrix of model version 1/ })
    await matrix.waitFor()
    assert.deepEqual(await matrix.getByRole('columnheader').allInnerTexts(), [
      'actual \\ predicted',
      'ajar',
      'closed',
      'open',
    ])
    await page
      .getByRole('status', { name: 'Held-out accuracy' })
      .filter({ hasText: /beats the baseline/ })
      .waitFor()
    await takeScreenshot(page, 'sensors')
  })

  test('admin: an admin sees users and roles, queue depth and dead letters; signing out ends the session', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Email').fill(ADMIN.email)
    await page.getByLabel('Password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await openPage(page, 'Admin', 'Admin')
    await page.getByRole('combobox', { name: `Role of ${PERSON.email}` }).waitFor()
    await page.getByRole('cell', { name: 'ml.train', exact: true }).waitFor()
    await page.getByRole('button', { name: 'Show dead-lettered jobs of ml.train' }).click()
    await page.getByText('No dead-lettered jobs in ml.train.').waitFor()
    await takeScreenshot(page, 'admin')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByText('You are signed out.').waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  })

  test('no console errors and no uncaught page errors along the way', () => {
    assert.deepEqual(browser.errors, [])
  })
})
