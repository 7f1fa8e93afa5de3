// Mail through an SMTP server (PULSEBASE_SMTP_URL), with nodemailer's pooled connections.
import type { Transporter } from 'nodemailer'
import { AppError } from '../../errors.js'
import type { MailPort } from './mail.port.js'

/**
 * A MailPort on the SMTP server of `url` (`smtp://user:pass@host:587`, or `smtps://` for TLS from
 * the first byte; credentials percent-encoded). A refusal or an unreachable server rejects with
 * `unavailable`; the URL (it may hold a password) is never part of a message.
 */
export function createSmtpMail(options: { url: string; from: string }): MailPort {
  // nodemailer loads on the first message (megabytes of code a process may never need).
  let transport: Promise<Transporter> | undefined
  const open = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(options.url)))
  return {
    kind: 'smtp',
    async send(message) {
      try {
        const sent = await (await open()).sendMail({ from: options.from, ...message })
        return { messageId: sent.messageId }
      } catch (error) {
        const reason =
          (error as { code?: string; responseCode?: number }).responseCode ??
          (error as { code?: string }).code ??
          'error'
        throw new AppError('unavailable', `the mail server did not accept the message (${String(reason)})`)
      }
    },
    async close() {
      if (transport !== undefined) (await transport).close()
    },
  }
}
