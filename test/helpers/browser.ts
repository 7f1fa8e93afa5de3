import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium, type ConsoleMessage, type Page } from 'playwright-core'
import { ensureDashboardBuilt } from '../../src/platform/http/dashboard-build.js'
import { createLogger } from '../../src/platform/logging/logger.js'
import { type Client, client, startTestApp, type TestApp } from './app.js'

export const CHROMIUM = '/usr/bin/chromium'
/** Where the browser tests write their screenshots (gitignored). */
export const SCREENSHOT_DIR = join('test-results', 'screenshots')

/**
 * `undefined` when Debian's Chromium is installed, else the skip reason (also printed). With
 * PULSEBASE_REQUIRE_SERVICES=1 (set by .ci/run, which installs it) a missing browser fails the run.
 */
export function skipUnlessChromium(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined
  const reason = `skipped: no Chromium at ${CHROMIUM}`
  if (process.env.PULSEBASE_REQUIRE_SERVICES === '1') throw new Error(`${reason} (required here)`)
  console.log(reason)
  return reason
}

export interface BrowserSession {
  readonly context: BrowserContext
  readonly page: Page
  /** Console errors and uncaught page errors so far, minus the ones a step declared as expected. */
  readonly errors: string[]
  /** Runs `step`, during which console errors matching `pattern` are expected (a 4xx the step provokes). */
  expectingErrors<T>(pattern: RegExp, step: () => Promise<T>): Promise<T>
  close(): Promise<void>
}

/**
 * Debian's Chromium through playwright-core, headless, on a fresh profile, with flags that keep it
 * off the network (this machine has none but loopback). Downloads and the clipboard are allowed.
 */
export async function openBrowser(baseURL: string): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'pulsebase-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    baseURL,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  })
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL })
  const page = context.pages()[0] ?? (await context.newPage())
  const errors: string[] = []
  let expected: RegExp | undefined
  const record = (text: string) => {
    if (expected?.test(text)) return
    errors.push(text)
  }
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') record(`console: ${message.text()} (${message.location().url})`)
  })
  page.on('pageerror', (error) => record(`page error: ${error.message}`))
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  return {
    context,
    page,
    errors,
    async expectingErrors(pattern, step) {
      expected = pattern
      try {
        return await step()
      } finally {
        expected = undefined
      }
    },
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Saves a full-page screenshot as `<SCREENSHOT_DIR>/<name>.png` and returns its path. */
export async function takeScreenshot(page: Page, name: string): Promise<string> {
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/** A started app (with its worker), a JSON client on it, and Chromium on its dashboard. */
export interface BrowserApp {
  readonly server: TestApp
  readonly api: Client
  readonly browser: BrowserSession
  readonly page: Page
  /** Closes the browser, then the app. */
  close(): Promise<void>
}

/**
 * The set-up every browser suite shares: checks the dashboard is built (fails the suite if not),
 * starts the app with `env` and its worker, and opens Chromium on it. Nobody is signed in yet.
 */
export async function startBrowserApp(env: Record<string, string> = {}): Promise<BrowserApp> {
  assert.ok(ensureDashboardBuilt(createLogger('silent')), 'the dashboard is built (npm install runs npm run build:web)')
  const server = await startTestApp(env)
  try {
    await server.app.startWorker()
    const browser = await openBrowser(server.url)
    return {
      server,
      api: client(server.url),
      browser,
      page: browser.page,
      async close() {
        await browser.close()
        await server.close()
      },
    }
  } catch (error) {
    await server.close()
    throw error
  }
}
