// Mail as RFC 5322 `.eml` files in a folder (the embedded default): an operator or a test opens them
// with any mail client; nothing leaves the machine.
import { randomUUID } from 'node:crypto'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Transporter } from 'nodemailer'
import type { MailPort } from './mail.port.js'

/**
 * A MailPort writing each message to `<folder>/<UTC time>-<uuid>.eml` (folder 0700, files 0600), the
 * way nodemailer would hand it to an SMTP server (CRLF line ends). Written under a dot-name and
 * renamed, so a reader of the folder never sees half a message.
 */
export function createOutboxMail(options: { folder: string; from: string }): MailPort {
  // nodemailer loads on the first message: most processes never send one, and it is megabytes of code.
  let composer: Promise<Transporter> | undefined
  const compose = () =>
    (composer ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' }),
    ))
  return {
    kind: 'outbox',
    async send(message) {
      const sent = await (await compose()).sendMail({ from: options.from, ...message })
      await mkdir(options.folder, { recursive: true, mode: 0o700 })
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`
      const temp = join(options.folder, `.${name}.tmp`)
      await writeFile(temp, sent.message as Buffer, { mode: 0o600, flag: 'wx' })
      await rename(temp, join(options.folder, name))
      return { messageId: sent.messageId }
    },
    async close() {
      if (composer !== undefined) (await composer).close()
    },
  }
}
