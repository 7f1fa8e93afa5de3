import { useState } from 'preact/hooks'
import { call, updateUser } from '../../api/session'
import type { User, UserSettings } from '../../api/types'
import { ErrorNote } from '../../components/status'

type Limits = NonNullable<UserSettings['heartRate']>

const LIMITS: { key: keyof Limits; label: string; fallback: number }[] = [
  { key: 'lowAlert', label: 'Low alert below (bpm)', fallback: 50 },
  { key: 'highAlert', label: 'High alert above (bpm)', fallback: 150 },
]

function numberField(form: FormData, name: string): number | undefined {
  const text = String(form.get(name) ?? '').trim()
  return text === '' ? undefined : Number(text)
}

/** The settings patch from the form: empty fields are left out (so they keep their stored value or default). */
function settingsFrom(form: FormData): UserSettings {
  const heartRate: Limits = {}
  for (const { key } of LIMITS) {
    const value = numberField(form, key)
    if (value !== undefined) heartRate[key] = value
  }
  const settings: UserSettings = { heartRate }
  const birthYear = numberField(form, 'birthYear')
  const restingHeartRate = numberField(form, 'restingHeartRate')
  const maxHeartRate = numberField(form, 'maxHeartRate')
  if (birthYear !== undefined) settings.birthYear = birthYear
  if (restingHeartRate !== undefined) settings.restingHeartRate = restingHeartRate
  if (maxHeartRate !== undefined) settings.maxHeartRate = maxHeartRate
  const timeZone = String(form.get('timeZone') ?? '').trim()
  if (timeZone !== '') settings.timeZone = timeZone
  return settings
}

export function ProfilePage({ user }: { user: User }) {
  const [error, setError] = useState<unknown>(undefined)
  const [saved, setSaved] = useState(false)
  const [isBusy, setBusy] = useState(false)
  const settings = user.settings

  async function save(event: SubmitEvent) {
    event.preventDefault()
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const displayName = String(form.get('displayName') ?? '').trim()
    setBusy(true)
    setError(undefined)
    setSaved(false)
    try {
      const body = { displayName: displayName === '' ? null : displayName, settings: settingsFrom(form) }
      updateUser(await call((api) => api.PATCH('/v1/me', { body })))
      setSaved(true)
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <h1>Profile and settings</h1>
      <p>
        Signed in as <strong>{user.email}</strong> ({user.role}).
      </p>
      <form class="settings" onSubmit={(event) => void save(event)}>
        <fieldset>
          <legend>Profile</legend>
          <label>
            Display name
            <input name="displayName" defaultValue={user.displayName ?? ''} maxLength={200} />
          </label>
          <label>
            Birth year
            <input
              name="birthYear"
              type="number"
              min={1900}
              max={2100}
              defaultValue={settings.birthYear?.toString() ?? ''}
            />
          </label>
          <label>
            Time zone
            <input name="timeZone" placeholder="UTC" maxLength={64} defaultValue={settings.timeZone ?? ''} />
          </label>
          <p class="hint">
            An IANA name such as Europe/Berlin, or an offset such as +05:30: days and hours in charts follow it.
          </p>
        </fieldset>
        <fieldset>
          <legend>Heart rate</legend>
          <label>
            Resting heart rate (bpm)
            <input
              name="restingHeartRate"
              type="number"
              min={20}
              max={250}
              defaultValue={settings.restingHeartRate?.toString() ?? ''}
            />
          </label>
          <label>
            Maximum heart rate (bpm)
            <input
              name="maxHeartRate"
              type="number"
              min={20}
              max={250}
              defaultValue={settings.maxHeartRate?.toString() ?? ''}
            />
          </label>
          <p class="hint">Zones use the maximum (or 220 − age), and Karvonen zones when a resting rate is set.</p>
        </fieldset>
        <fieldset>
          <legend>Alert limits</legend>
          {LIMITS.map(({ key, label, fallback }) => (
            <label key={key}>
              {label}
              <input
                name={key}
                type="number"
                min={20}
                max={250}
                placeholder={String(fallback)}
                defaultValue={settings.heartRate?.[key]?.toString() ?? ''}
              />
            </label>
          ))}
          <p class="hint">
            Empty fields keep their value, or the default shown. They decide alerts only: every plausible sample (20–250
            bpm) is stored.
          </p>
        </fieldset>
        <ErrorNote error={error} />
        {saved && <p role="status">Saved.</p>}
        <button type="submit" disabled={isBusy}>
          Save settings
        </button>
      </form>
    </>
  )
}
