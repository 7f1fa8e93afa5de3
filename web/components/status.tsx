import { ApiError } from '../../src/client/pulsebase-client'

/** The text a person should read for a failed call: the server's own message for 4xx. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError)
    return error.status >= 500 ? `The server had a problem (${error.status}). Try again later.` : error.message
  if (error instanceof TypeError) return 'Cannot reach the server. Check your connection and try again.'
  return error instanceof Error ? error.message : String(error)
}

/** An error as an alert (announced by screen readers); nothing when there is none. */
export function ErrorNote({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null
  return (
    <p class="error" role="alert">
      {messageOf(error)}
    </p>
  )
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  )
}

/** Shows loading, the error, or the children once data is there. */
export function Loaded<T>({
  resource,
  what,
  children,
}: {
  resource: { data: T | undefined; error: unknown; isLoading: boolean }
  what: string
  children: (data: T) => preact.ComponentChildren
}) {
  return (
    <>
      <ErrorNote error={resource.error} />
      {resource.data === undefined ? resource.isLoading && <Loading what={what} /> : children(resource.data)}
    </>
  )
}

export const formatTime = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '—')
