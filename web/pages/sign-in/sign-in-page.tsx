import { useState } from 'preact/hooks'
import { followLink, location, replaceLocation } from '../../api/router'
import { register, signIn } from '../../api/session'
import { useStore } from '../../api/store'
import { ErrorNote } from '../../components/status'

/** Sign in, or create an account at /register. */
export function SignInPage({ notice }: { notice?: string }) {
  const path = useStore(location)
  const isRegistering = path === '/register'
  const [error, setError] = useState<unknown>(undefined)
  const [isBusy, setBusy] = useState(false)

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const email = String(form.get('email') ?? '')
    const password = String(form.get('password') ?? '')
    setBusy(true)
    setError(undefined)
    try {
      if (isRegistering) await register(email, password, String(form.get('displayName') ?? '').trim() || undefined)
      else await signIn(email, password)
      if (path === '/register' || path === '/sign-in' || path === '/') replaceLocation('/heart-rate')
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  const title = isRegistering ? 'Create an account' : 'Sign in'
  return (
    <main id="content" class="auth">
      <h1>pulsebase</h1>
      <section aria-labelledby="auth-title">
        <h2 id="auth-title">{title}</h2>
        {notice && !error && <p role="status">{notice}</p>}
        <ErrorNote error={error} />
        <form onSubmit={(event) => void submit(event)}>
          <label>
            Email
            <input name="email" type="email" autoComplete="email" required />
          </label>
          <label>
            Password
            <input
              name="password"
              type="password"
              autoComplete={isRegistering ? 'new-password' : 'current-password'}
              minLength={isRegistering ? 8 : 1}
              required
            />
          </label>
          {isRegistering && (
            <label>
              Display name (optional)
              <input name="displayName" autoComplete="nickname" maxLength={200} />
            </label>
          )}
          <button type="submit" disabled={isBusy}>
            {isRegistering ? 'Create account' : 'Sign in'}
          </button>
        </form>
        <p>
          {isRegistering ? (
            <a href="/sign-in" onClick={followLink}>
              I have an account: sign in
            </a>
          ) : (
            <a href="/register" onClick={followLink}>
              New here? Create an account
            </a>
          )}
        </p>
      </section>
    </main>
  )
}
