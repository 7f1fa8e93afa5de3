// The dashboard's Playground page in Debian's Chromium: a CSV upload with its detected types, a
// network built in the form and trained on IRIS with its epochs arriving live, the confusion matrix
// and ROC curves, the model downloaded, the e-mail sent, a run cancelled, a classical model trained.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { Page } from 'playwright-core'
import type { Client, TestApp } from '../helpers/app.js'
import { pollUntil } from '../helpers/poll.js'
import {
  type BrowserApp,
  type BrowserSession,
  skipUnlessChromium,
  startBrowserApp,
  takeScreenshot,
} from '../helpers/browser.js'

const PERSON = { email: 'ada@example.com', password: 'correct horse battery' }

/** Records every value the "Loss curve: N epochs" caption takes while the page changes it. */
async function watchEpochCaption(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: number[] = []
    Object.assign(window, { epochsSeen: seen })
    new MutationObserver(() => {
      const caption = [...document.querySelectorAll('figcaption')]
        .map((f) => f.textContent ?? '')
        .find((t) => t.startsWith('Loss curve:'))
      const epochs = Number(/^Loss curve: (\d+)/.exec(caption ?? '')?.[1] ?? Number.NaN)
      if (!Number.isNaN(epochs) && seen.at(-1) !== epochs) seen.push(epochs)
    }).observe(document.body, { subtree: true, childList: true, characterData: true })
  })
}

describe('the playground page in a real browser', { skip: skipUnlessChromium() }, () => {
  let started: BrowserApp | undefined
  let server: TestApp
  let api: Client
  let browser: BrowserSession
  let page: Page
  let token: string

  before(async () => {
    started = await startBrowserApp()
    ;({ server, api, browser, page } = started)
    await page.goto('/register')
    await page.getByLabel('Email').fill(PERSON.email)
    await page.getByLabel('Password').fill(PERSON.password)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { level: 1, name: 'Heart rate' }).waitFor()
    token = (await api.post('/v1/auth/login', PERSON)).body.accessToken as string
  })
  after(async () => {
    await started?.close()
  })

  test('a built-in dataset shows its columns, types and first rows; an uploaded CSV shows what was detected', async () => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Playground' }).click()
    await page.getByRole('heading', { level: 1, name: 'Model playground' }).waitFor()
    const columns = page.getByRole('table', { name: /^Columns of IRIS: 5, 150 rows/ })
    await columns.waitFor()
    assert.deepEqual(
      await columns
        .getByRole('row', { name: /^target / })
        .getByRole('cell')
        .allInnerTexts(),
      ['target', 'number', '3'],
    )
    await page.getByRole('table', { name: 'First 5 rows' }).getByRole('cell', { name: '5.1' }).first().waitFor()

    const csv = [
      'size,weight,kind',
      ...Array.from(
        { length: 40 },
        (_, i) => `${i % 2 === 0 ? 1 + (i % 5) * 0.1 : 4 + (i % 3) * 0.1},${10 + i},${i % 2 === 0 ? 'small' : 'large'}`,
      ),
    ].join('\n')
    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'shapes.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await page.getByLabel('Dataset name').fill('shapes')
    await page.getByRole('button', { name: 'Upload' }).click()
    const uploaded = page.getByRole('table', { name: /^Columns of shapes: 3, 40 rows/ })
    await uploaded.waitFor()
    assert.deepEqual(
      await uploaded
        .getByRole('row', { name: /^kind / })
        .getByRole('cell')
        .allInnerTexts(),
      ['kind', 'string', '2'],
    )
    assert.equal(
      await page.getByLabel('Target column').inputValue(),
      'kind',
      'the last column is the target of an upload',
    )
    assert.equal(await page.getByLabel('Problem').inputValue(), 'classification', 'a text target is classified')
  })

  test('a network built in the form trains on IRIS with live progress, then shows its confusion matrix and ROC curves; the model downloads; the e-mail goes out', async () => {
    await page.getByRole('combobox', { name: /^Dataset/ }).selectOption('builtin:IRIS')
    await page.getByRole('table', { name: /^Columns of IRIS/ }).waitFor()
    assert.equal(await page.getByLabel('Units of layer 3').inputValue(), '3', 'the output layer has one unit per class')
    await page.getByLabel('Units of layer 1').fill('16')
    await page.getByLabel('Optimizer').selectOption('adam')
    await page.getByLabel('Learning rate').fill('0.03')
    await page.getByLabel('Epochs').fill('40')
    await page.getByLabel('Batch size').fill('16')
    await page.getByLabel('Run name (optional)').fill('iris mlp')
    await page.getByLabel('E-mail me the results when the run ends').check()
    await watchEpochCaption(page)
    await page.getByRole('button', { name: 'Train', exact: true }).click()
    const progress = page.getByRole('status', { name: 'Run progress' })
    await progress.filter({ hasText: /^succeeded; 40 epochs, 100 %$/ }).waitFor({ timeout: 180_000 })

    const seen = await page.evaluate(() => (window as { epochsSeen?: number[] }).epochsSeen ?? [])
    assert.ok(seen.length >= 3, `the loss curve grew epoch by epoch on the page (saw ${JSON.stringify(seen)})`)
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      seen,
      'it only grew',
    )
    assert.equal(seen.at(-1), 40)
    await page.getByText(/^Accuracy curve: 40 epochs, last test accuracy/).waitFor()

    const matrix = page.getByRole('table', { name: 'Confusion matrix of iris mlp: rows actual, columns predicted' })
    await matrix.waitFor()
    assert.deepEqual(await matrix.getByRole('columnheader').allInnerTexts(), ['actual \\ predicted', '0', '1', '2'])
    const counts = (await matrix.getByRole('cell').allInnerTexts()).map(Number)
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      30,
      'every held-out row is counted once',
    )
    const accuracy = Number((await page.getByLabel('Held-out accuracy').innerText()).replace(' %', ''))
    assert.ok(accuracy >= 80, `IRIS is learnt (held-out accuracy ${accuracy} %)`)
    await page.getByRole('img', { name: 'ROC curve per class, one against the rest' }).waitFor()
    const aucs = (
      await page.getByRole('table', { name: 'Area under the ROC curve per class' }).getByRole('cell').allInnerTexts()
    )
      .filter((_, i) => i % 2 === 1)
      .map(Number)
    assert.equal(aucs.length, 3)
    assert.ok(
      aucs.every((auc) => auc > 0.8 && auc <= 1),
      `AUC per class ${aucs.join(', ')}`,
    )

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download model.json' }).click(),
    ])
    assert.equal(download.suggestedFilename(), 'model.json')
    const model = JSON.parse(readFileSync((await download.path()) as string, 'utf8'))
    assert.equal(model.format, 'layers-model')
    assert.deepEqual(model.weightsManifest[0].paths, ['weights.bin'])
    const [weights] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download weights.bin' }).click(),
    ])
    const bytes = readFileSync((await weights.path()) as string).byteLength
    assert.equal(bytes, (4 * 16 + 16 + 16 * 3 + 3) * 4, 'float32 weights and biases of Dense(16) and Dense(3)')

    const [run] = (await api.get('/v1/playground/runs', token)).body.runs
    assert.equal(run.notifyEmail, PERSON.email)
    const outbox = join(server.dataDir, 'outbox')
    const readMails = () =>
      existsSync(outbox) ? readdirSync(outbox).map((file) => readFileSync(join(outbox, file), 'utf8')) : []
    const mails = await pollUntil(readMails, (found) => found.length > 0, 'the run-end mail in the outbox')
    assert.equal(mails.length, 1)
    assert.match(mails[0] as string, new RegExp(`To: ${PERSON.email}`))
    await takeScreenshot(page, 'playground')
  })

  test('a long run is cancelled from the page; a classical model trains and shows its confusion matrix', async () => {
    // Long enough to be cancelled mid-run on any machine: DIGITS, a wide hidden layer and batches of 2 (IRIS's small
    // network finishes 1,000 epochs in seconds on the dense stack).
    await page.getByRole('combobox', { name: /^Dataset/ }).selectOption('builtin:DIGITS')
    await page.getByRole('table', { name: /^Columns of DIGITS/ }).waitFor()
    await page.getByLabel('Units of layer 1').fill('256')
    await page.getByLabel('Batch size').fill('2')
    await page.getByLabel('Epochs').fill('1000')
    await page.getByLabel('E-mail me the results when the run ends').uncheck()
    await page.getByLabel('Run name (optional)').fill('long run')
    await page.getByRole('button', { name: 'Train', exact: true }).click()
    const progress = page.getByRole('status', { name: 'Run progress' })
    await progress.filter({ hasText: /^running; [1-9]\d* epochs?/ }).waitFor({ timeout: 120_000 })
    await page.getByRole('button', { name: 'Cancel the run' }).click()
    await progress.filter({ hasText: /^cancelled/ }).waitFor({ timeout: 120_000 })
    assert.equal(await page.getByRole('button', { name: 'Cancel the run' }).count(), 0)

    await page.getByRole('combobox', { name: /^Dataset/ }).selectOption('builtin:IRIS')
    await page.getByRole('table', { name: /^Columns of IRIS/ }).waitFor()
    await page.getByLabel('Model kind').selectOption('classical')
    await page.getByLabel('Algorithm').selectOption('decisionTree')
    await page.getByLabel('Maximum depth (optional)').fill('3')
    await page.getByLabel('Run name (optional)').fill('iris tree')
    await page.getByRole('button', { name: 'Train', exact: true }).click()
    await progress.filter({ hasText: /^succeeded/ }).waitFor({ timeout: 120_000 })
    await page.getByRole('table', { name: 'Confusion matrix of iris tree: rows actual, columns predicted' }).waitFor()
    await page.getByRole('button', { name: 'Download the model (JSON)' }).waitFor()
    await page
      .getByRole('row', { name: /^long run / })
      .getByRole('cell', { name: 'cancelled', exact: true })
      .waitFor()
    await page
      .getByRole('row', { name: /^iris tree / })
      .getByRole('cell', { name: 'succeeded', exact: true })
      .waitFor()
    await takeScreenshot(page, 'playground-classical')
  })

  test('no console errors and no uncaught page errors along the way', () => {
    assert.deepEqual(browser.errors, [])
  })
})
