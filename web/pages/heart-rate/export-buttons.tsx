import { useState } from 'preact/hooks'
import { call } from '../../api/session'
import { saveFile } from '../../components/save-file'
import { ErrorNote } from '../../components/status'
import type { Range } from './range'

export function ExportButtons({ range }: { range: Range }) {
  const [error, setError] = useState<unknown>(undefined)
  const [isBusy, setBusy] = useState(false)
  const query = { from: range.from, to: range.to }

  async function run(download: () => Promise<unknown>, fileName: string) {
    setBusy(true)
    setError(undefined)
    try {
      saveFile((await download()) as Blob, fileName)
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">Export ({range.label})</h2>
      <button
        type="button"
        disabled={isBusy}
        onClick={() =>
          void run(
            () => call((api) => api.GET('/v1/heart-rate/export.csv', { params: { query }, parseAs: 'blob' })),
            'heart-rate.csv',
          )
        }
      >
        Export CSV
      </button>
      <button
        type="button"
        disabled={isBusy}
        onClick={() =>
          void run(
            () => call((api) => api.GET('/v1/heart-rate/export.fhir.json', { params: { query }, parseAs: 'blob' })),
            'heart-rate.fhir.json',
          )
        }
      >
        Export FHIR
      </button>
      <ErrorNote error={error} />
    </section>
  )
}
