import { useState } from 'preact/hooks'
import { call } from '../../api/session'
import type { Device } from '../../api/types'
import { ErrorNote, formatTime } from '../../components/status'

/** Presence fields arrive with the sensors work (`online`); until then they show as "—". */
export type DeviceWithPresence = Device & { readonly online?: boolean | null }

function presence(device: DeviceWithPresence): string {
  if (device.revokedAt) return 'Revoked'
  if (device.online === true) return 'Online'
  if (device.online === false) return 'Offline'
  return '—'
}

export function DeviceRow({ device, onChanged }: { device: DeviceWithPresence; onChanged: (device: Device) => void }) {
  const [isRenaming, setRenaming] = useState(false)
  const [error, setError] = useState<unknown>(undefined)

  async function run(action: () => Promise<Device>) {
    setError(undefined)
    try {
      onChanged(await action())
      setRenaming(false)
    } catch (failure) {
      setError(failure)
    }
  }

  function rename(event: SubmitEvent) {
    event.preventDefault()
    const name = String(new FormData(event.currentTarget as HTMLFormElement).get('name') ?? '')
    void run(() =>
      call((api) => api.PATCH('/v1/devices/{id}', { params: { path: { id: device.id } }, body: { name } })),
    )
  }

  function revoke() {
    if (!window.confirm(`Revoke the key of ${device.name}? The device stops working at once.`)) return
    void run(() => call((api) => api.POST('/v1/devices/{id}/revoke', { params: { path: { id: device.id } } })))
  }

  return (
    <tr>
      <td>
        {isRenaming ? (
          <form class="inline" onSubmit={rename}>
            <label>
              New name for {device.name}
              <input name="name" defaultValue={device.name} required maxLength={200} />
            </label>
            <button type="submit">Save name</button>
            <button type="button" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : (
          device.name
        )}
        <ErrorNote error={error} />
      </td>
      <td>{device.kind}</td>
      <td>
        <code>{device.keyPrefix}…</code>
      </td>
      <td>{presence(device)}</td>
      <td>{formatTime(device.lastSeenAt)}</td>
      <td>
        {!isRenaming && (
          <button type="button" onClick={() => setRenaming(true)} aria-label={`Rename ${device.name}`}>
            Rename
          </button>
        )}
        {!device.revokedAt && (
          <button type="button" class="danger" onClick={revoke} aria-label={`Revoke ${device.name}`}>
            Revoke
          </button>
        )}
      </td>
    </tr>
  )
}
