// The mail port: messages to people (password reset, e-mail verification, training results).

/** One plain-text message (with an optional HTML alternative) to one address. */
export interface MailMessage {
  readonly to: string
  readonly subject: string
  readonly text: string
  readonly html?: string
  /** Files attached, from bytes the caller holds: never a path, so nothing is read from disk by name. */
  readonly attachments?: MailAttachment[]
}

export interface MailAttachment {
  readonly filename: string
  readonly content: string | Buffer
  readonly contentType: string
}

/**
 * Sends mail: as `.eml` files in the outbox folder (the default, for one machine and for tests) or
 * through SMTP. `send` resolves once the message is handed over (file written, or accepted by the
 * SMTP server) with its Message-ID; it rejects with `unavailable` (AppError) when it could not be.
 */
export interface MailPort {
  readonly kind: 'outbox' | 'smtp'
  send(message: MailMessage): Promise<{ messageId: string }>
  close(): Promise<void>
}
