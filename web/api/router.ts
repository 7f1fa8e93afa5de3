import { createStore } from './store'

/** The page path (history API); the server answers every page path with index.html. */
export const location = createStore<string>(window.location.pathname)

export function navigate(path: string): void {
  if (path === window.location.pathname) return
  window.history.pushState(null, '', path)
  location.set(path)
}

window.addEventListener('popstate', () => location.set(window.location.pathname))

/** For `<a onClick>`: follows an in-app link without a page load (a modified click still opens a tab). */
export function followLink(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  event.preventDefault()
  navigate(anchor.pathname)
}

/** Changes the path without a new history entry (after signing in at /sign-in, say). */
export function replaceLocation(path: string): void {
  window.history.replaceState(null, '', path)
  location.set(path)
}
