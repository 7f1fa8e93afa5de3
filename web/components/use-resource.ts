import { useCallback, useEffect, useRef, useState } from 'preact/hooks'

export interface Resource<T> {
  readonly data: T | undefined
  readonly error: unknown
  readonly isLoading: boolean
  /** Loads again (keeps showing the old data meanwhile). */
  reload(): void
}

/** Loads `load()` on mount and whenever `keys` change; a late answer to an old load is dropped. */
export function useResource<T>(load: () => Promise<T>, keys: readonly unknown[]): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; isLoading: boolean }>({ isLoading: true })
  const generation = useRef(0)
  const loader = useRef(load)
  loader.current = load
  const reload = useCallback(() => {
    const mine = ++generation.current
    setState((previous) => ({ ...previous, isLoading: true }))
    loader.current().then(
      (data) => mine === generation.current && setState({ data, isLoading: false }),
      (error: unknown) =>
        mine === generation.current && setState((previous) => ({ data: previous.data, error, isLoading: false })),
    )
  }, [])
  useEffect(reload, keys)
  return { data: state.data, error: state.error, isLoading: state.isLoading, reload }
}
