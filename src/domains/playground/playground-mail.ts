// Playground mail: the results of a run when it ends (if asked), and messages the seed's clients
// send (`sendEmail`). Mail goes only to the account's own address or to an allow-listed one;
// attachments come only from the sender's own run results, never from a path; each user may send
// MAILS_PER_HOUR messages.
import type { Logger } from 'pino'
import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { MailAttachment, MailPort } from '../../platform/mail/mail.port.js'
import type { AttemptLimiter } from '../../platform/rate-limit/attempt-limiter.js'
import type { Run } from './playground.schema.js'
import * as repo from './playground.repository.js'
import { getRun, type PlaygroundDeps } from './playground.service.js'
import { resultsCsv } from './results.js'

export const MAILS_PER_HOUR = 20

export interface PlaygroundMailDeps {
  readonly playground: PlaygroundDeps
  readonly mail: MailPort
  readonly limiter: AttemptLimiter
  /** Addresses (lower case) mail may go to besides the account's own. */
  readonly allowList: ReadonlySet<string>
  readonly logger: Logger
}

const EMAIL = /^[^@\s<>,;"]+@[^@\s<>,;"]+\.[^@\s<>,;"]+$/

export const SendMailBody = Type.Object(
  {
    to: Type.Optional(Type.String({ maxLength: 320, description: "the account's own address when left out" })),
    subject: Type.String({ minLength: 1, maxLength: 200 }),
    text: Type.String({ minLength: 1, maxLength: 20_000 }),
    runId: Type.Optional(
      Type.String({ maxLength: 64, description: "attach this run's results.csv (one of your runs)" }),
    ),
  },
  { additionalProperties: false },
)

/** The recipient if mail may go there: the account's own address or an allow-listed one. */
async function recipient(deps: PlaygroundMailDeps, owner: Principal, to: string | undefined): Promise<string> {
  const own = await repo.accountEmail(deps.playground.training.db, owner.userId)
  const address = (to ?? own ?? '').trim()
  if (!EMAIL.test(address))
    throw new AppError('invalid_argument', 'Please enter a valid email address', [
      { path: 'body.to', message: 'not an e-mail address' },
    ])
  if (address.toLowerCase() !== own?.toLowerCase() && !deps.allowList.has(address.toLowerCase())) {
    throw new AppError(
      'permission_denied',
      "Mail goes only to your account's own address or to an address the operator allows",
      [{ path: 'body.to', message: 'not allowed' }],
    )
  }
  return address
}

function resultsAttachment(run: Run): MailAttachment[] {
  return run.results === null
    ? []
    : [{ filename: 'dl_results.csv', content: resultsCsv(run.results), contentType: 'text/csv' }]
}

/** Sends a message for a signed-in user; throws invalid_argument, permission_denied, not_found (run) or rate_limited. */
export async function sendUserMail(
  deps: PlaygroundMailDeps,
  owner: Principal,
  body: { to?: string | undefined; subject: string; text: string; runId?: string | undefined },
): Promise<{ to: string }> {
  const to = await recipient(deps, owner, body.to)
  const attachments =
    body.runId === undefined ? [] : resultsAttachment(await getRun(deps.playground, owner.userId, body.runId))
  await deps.limiter.consume(owner.userId)
  await deps.mail.send({
    to,
    subject: body.subject.replace(/[\r\n]+/g, ' '),
    text: body.text,
    ...(attachments.length > 0 && { attachments }),
  })
  return { to }
}

function summary(run: Run): string {
  const r = run.results
  const lines = [`Your playground run "${run.name}" ${run.job.state}.`]
  if (run.job.error !== null) lines.push(`Reason: ${run.job.error}`)
  if (r !== null) {
    lines.push(
      `Epochs: ${r.epochs.length}; time to train: ${r.trainSeconds.toFixed(2)} s; test rows: ${r.testExamples}.`,
    )
    if (r.accuracy !== null) lines.push(`Held-out accuracy: ${(r.accuracy * 100).toFixed(1)} %.`)
    if (r.r2 !== null) lines.push(`Held-out R²: ${r.r2.toFixed(3)}; MAE: ${r.mae?.toFixed(4)}.`)
    lines.push('The per-epoch results are attached (dl_results.csv).')
  }
  return `${lines.join('\n')}\n`
}

/** The end-of-run mail, once per run (claimed before sending: a crash in between loses it rather than sending twice). */
export async function mailRunEnd(deps: PlaygroundMailDeps, job: { id: string; userId: string }): Promise<void> {
  const db = deps.playground.training.db
  const row = await repo.findRun(db, job.userId, job.id)
  if (row?.notify_email == null || !(await repo.markEmailed(db, job.id, deps.playground.now()))) return
  try {
    await deps.limiter.consume(job.userId)
  } catch {
    deps.logger.warn(
      { trainingJobId: job.id, userId: job.userId },
      'run-end mail skipped: the user is over the mail limit',
    )
    return
  }
  const run = await getRun(deps.playground, job.userId, job.id)
  const attachments = resultsAttachment(run)
  await deps.mail.send({
    to: row.notify_email,
    subject: `Playground: ${run.name} ${run.job.state}`,
    text: summary(run),
    ...(attachments.length > 0 && { attachments }),
  })
}
