import type { FunctionComponent } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { liveStatus } from './api/live'
import { followLink, location, navigate } from './api/router'
import { session, signOut } from './api/session'
import { useStore } from './api/store'
import type { User } from './api/types'
import { AdminPage } from './pages/admin/admin-page'
import { DevicesPage } from './pages/devices/devices-page'
import { GameSessionsPage } from './pages/game-sessions/game-sessions-page'
import { HeartRatePage } from './pages/heart-rate/heart-rate-page'
import { MeditationPage } from './pages/meditation/meditation-page'
import { PlaygroundPage } from './pages/playground/playground-page'
import { ProfilePage } from './pages/profile/profile-page'
import { SensorsPage } from './pages/sensors/sensors-page'
import { SignInPage } from './pages/sign-in/sign-in-page'
import { TrainingPage } from './pages/training/training-page'

interface Page {
  readonly path: string
  readonly title: string
  readonly component: FunctionComponent<{ user: User }>
  readonly isAdminOnly?: boolean
}

const PAGES: readonly Page[] = [
  { path: '/heart-rate', title: 'Heart rate', component: HeartRatePage },
  { path: '/devices', title: 'Devices', component: DevicesPage },
  { path: '/game-sessions', title: 'Game sessions', component: GameSessionsPage },
  { path: '/meditation', title: 'Meditation', component: MeditationPage },
  { path: '/training', title: 'Training', component: TrainingPage },
  { path: '/sensors', title: 'Sensors', component: SensorsPage },
  { path: '/playground', title: 'Playground', component: PlaygroundPage },
  { path: '/profile', title: 'Profile', component: ProfilePage },
  { path: '/admin', title: 'Admin', component: AdminPage, isAdminOnly: true },
]

function pageFor(path: string): Page | undefined {
  return PAGES.find((page) => path === page.path || path.startsWith(`${page.path}/`))
}

function LiveIndicator() {
  const status = useStore(liveStatus)
  const text = { live: 'Live', connecting: 'Connecting…', offline: 'Offline' }[status]
  return (
    <span class={`live live-${status}`} role="status" aria-label="Live updates">
      {text}
    </span>
  )
}

function Navigation({ user, current }: { user: User; current: Page | undefined }) {
  return (
    <header class="top">
      <a class="brand" href="/heart-rate" onClick={followLink}>
        pulsebase
      </a>
      <nav aria-label="Pages">
        <ul>
          {PAGES.filter((page) => !page.isAdminOnly || user.role === 'admin').map((page) => (
            <li key={page.path}>
              <a href={page.path} onClick={followLink} aria-current={page === current ? 'page' : undefined}>
                {page.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="account">
        <LiveIndicator />
        <span class="who">{user.displayName ?? user.email}</span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </header>
  )
}

function SignedIn({ user }: { user: User }) {
  const path = useStore(location)
  const page = pageFor(path)
  const heading = useRef<HTMLElement>(null)
  useEffect(() => {
    if (page === undefined) navigate('/heart-rate')
  }, [page])
  useEffect(() => {
    document.title = `${page?.title ?? 'pulsebase'} · pulsebase`
    heading.current?.focus() // a page change is announced, and the keyboard starts at the content
  }, [page])
  if (page === undefined) return null
  const Component = page.component
  const isAllowed = !page.isAdminOnly || user.role === 'admin'
  return (
    <>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <Navigation user={user} current={page} />
      <main id="content" ref={heading} tabIndex={-1}>
        {isAllowed ? <Component user={user} /> : <p role="alert">This page needs the admin role.</p>}
      </main>
    </>
  )
}

export function App() {
  const state = useStore(session)
  if (state.status === 'loading') {
    return (
      <main id="content">
        <p role="status">Loading pulsebase…</p>
      </main>
    )
  }
  if (state.status === 'signed-out') return <SignInPage notice={state.notice} />
  return <SignedIn user={state.user} />
}
