import { useState } from 'preact/hooks'
import type { Device } from '../../api/types'

/** The key of a device just added: shown once, with a copy button and the lines to use it. */
export function NewDeviceKey({ device, apiKey, onDone }: { device: Device; apiKey: string; onDone: () => void }) {
  const [copied, setCopied] = useState<string | undefined>(undefined)
  const origin = window.location.origin
  const host = window.location.hostname
  const curl = `curl -s ${origin}/v1/heart-rate/samples -H 'authorization: Bearer ${apiKey}' -H 'content-type: application/json' -d '{"timestamp":"'$(date -u +%FT%TZ)'","bpm":72}'`
  const mqtt = `mosquitto_pub -h ${host} -p $PULSEBASE_MQTT_PORT -u ${device.id} -P '${apiKey}' -q 1 -t 'devices/${device.id}/frames/<kind>' -m '<frame JSON>'`

  async function copy(text: string, what: string) {
    try {
      await navigator.clipboard.writeText(text)
      setCopied(`${what} copied.`)
    } catch {
      setCopied(`Copying was refused by the browser: select the ${what.toLowerCase()} and copy it.`)
    }
  }

  return (
    <section class="new-key" aria-labelledby="new-key-title">
      <h2 id="new-key-title">Key for {device.name}</h2>
      <p>
        <strong>This key is shown only once.</strong> Store it on the device now; pulsebase keeps only its hash.
      </p>
      <label>
        API key
        <input readOnly value={apiKey} onFocus={(event) => (event.currentTarget as HTMLInputElement).select()} />
      </label>
      <button type="button" onClick={() => void copy(apiKey, 'Key')}>
        Copy key
      </button>
      <h3>Send a heart-rate sample with curl</h3>
      <pre aria-label="curl command">{curl}</pre>
      <button type="button" onClick={() => void copy(curl, 'curl command')}>
        Copy curl command
      </button>
      <h3>Publish over MQTT</h3>
      <p class="hint">When the server runs its MQTT listener (PULSEBASE_MQTT_PORT); the key is the password.</p>
      <pre aria-label="MQTT command">{mqtt}</pre>
      {copied && <p role="status">{copied}</p>}
      <button type="button" onClick={onDone}>
        I have stored the key
      </button>
    </section>
  )
}
