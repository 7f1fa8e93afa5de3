import { useState } from 'preact/hooks'
import { useLive } from '../../api/live'
import { call } from '../../api/session'
import type { Device } from '../../api/types'
import { ErrorNote, Loaded } from '../../components/status'
import { useResource } from '../../components/use-resource'
import { DeviceRow, type DeviceWithPresence } from './device-row'
import { NewDeviceKey } from './new-device-key'
import { Table } from '../../components/table'

const KINDS = ['phone', 'watch', 'raspberry-pi', 'esp32', 'glove', 'other'] as const
type Kind = (typeof KINDS)[number]

/** A `device-presence` event (from the sensors work): whichever of these fields it carries. */
interface PresenceEvent {
  readonly deviceId?: string
  readonly online?: boolean
  readonly lastSeenAt?: string | null
}

export function DevicesPage() {
  const devices = useResource(
    async () => (await call((api) => api.GET('/v1/devices'))).devices as DeviceWithPresence[],
    [],
  )
  const [list, setList] = useState<DeviceWithPresence[] | undefined>(undefined)
  const [created, setCreated] = useState<{ device: Device; apiKey: string } | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)
  const shown = list ?? devices.data

  const replace = (device: DeviceWithPresence) =>
    setList((shown ?? []).map((d) => (d.id === device.id ? { ...d, ...device } : d)))
  useLive<PresenceEvent>('device-presence', (event) => {
    const target = shown?.find((d) => d.id === event.deviceId)
    if (target === undefined) return
    replace({
      ...target,
      ...(event.online !== undefined && { online: event.online }),
      ...(event.lastSeenAt !== undefined && { lastSeenAt: event.lastSeenAt }),
    })
  })

  async function add(event: SubmitEvent) {
    event.preventDefault()
    const formElement = event.currentTarget as HTMLFormElement
    const form = new FormData(formElement)
    setError(undefined)
    try {
      const answer = await call((api) =>
        api.POST('/v1/devices', {
          body: { name: String(form.get('name') ?? ''), kind: String(form.get('kind')) as Kind },
        }),
      )
      setCreated(answer)
      setList([answer.device, ...(shown ?? [])])
      formElement.reset()
    } catch (failure) {
      setError(failure)
    }
  }

  return (
    <>
      <h1>Devices</h1>
      {created && <NewDeviceKey device={created.device} apiKey={created.apiKey} onDone={() => setCreated(undefined)} />}
      <section aria-labelledby="add-device">
        <h2 id="add-device">Add a device</h2>
        <form class="inline" onSubmit={(event) => void add(event)}>
          <label>
            Device name
            <input name="name" required maxLength={200} />
          </label>
          <label>
            Kind
            <select name="kind" defaultValue="watch">
              {KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {kind}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Add device</button>
        </form>
        <ErrorNote error={error} />
      </section>
      <section aria-labelledby="device-list">
        <h2 id="device-list">Your devices</h2>
        <Loaded resource={{ ...devices, data: shown }} what="devices">
          {(items) =>
            items.length === 0 ? (
              <p>No devices yet.</p>
            ) : (
              <Table headers={['Name', 'Kind', 'Key', 'Status', 'Last contact', 'Actions']}>
                {items.map((device) => (
                  <DeviceRow key={device.id} device={device} onChanged={replace} />
                ))}
              </Table>
            )
          }
        </Loaded>
      </section>
    </>
  )
}
