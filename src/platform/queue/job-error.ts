const MAX_ERROR_LENGTH = 1000

/** The text kept with a failed job: the error's message only (never a payload), bounded in length. */
export function describeError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text
}
