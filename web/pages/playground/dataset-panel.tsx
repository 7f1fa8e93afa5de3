import { useEffect, useState } from 'preact/hooks'
import { call } from '../../api/session'
import type { DatasetDetail } from '../../api/types'
import { ErrorNote, Loaded } from '../../components/status'
import { Table } from '../../components/table'
import { useResource } from '../../components/use-resource'

/** The dataset a run trains on, as the model form needs it. */
export interface DatasetChoice {
  readonly ref: { readonly builtin: string } | { readonly id: string }
  readonly name: string
  readonly rows: number
  readonly columns: DatasetDetail['columns']
  /** Built-in datasets say what they are for; an upload leaves it to the person. */
  readonly problemType?: DatasetDetail['problemType']
}

const PREVIEW_ROWS = 5

/** Reads the chosen dataset's columns and first rows (`builtin:NAME` or `upload:ID`). */
async function loadDetail(key: string) {
  const [kind, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)]
  if (kind === 'builtin') {
    const detail = await call((api) => api.GET('/v1/playground/datasets/{name}', { params: { path: { name: value } } }))
    return {
      choice: {
        ref: { builtin: detail.name },
        name: detail.name,
        rows: detail.rows,
        columns: detail.columns,
        problemType: detail.problemType,
      },
      description: detail.description,
      preview: detail.preview,
    }
  }
  const detail = await call((api) => api.GET('/v1/playground/uploads/{id}', { params: { path: { id: value } } }))
  return {
    choice: { ref: { id: detail.id }, name: detail.name, rows: detail.rows, columns: detail.columns },
    description: `Your upload, ${detail.size} bytes`,
    preview: detail.preview,
  }
}

/** Uploads a CSV file as it is (the server detects columns and types, and refuses a bad file naming its line). */
async function uploadCsv(file: File, name: string) {
  const text = await file.text()
  return call((api) =>
    api.POST('/v1/playground/uploads', {
      params: { query: { name } },
      body: text as never,
      bodySerializer: (body: unknown) => body as string,
      headers: { 'content-type': 'text/csv' },
    }),
  )
}

/** Pick a built-in dataset or one of your uploads, or upload a CSV; shows the columns with their detected types and the first rows. */
export function DatasetPanel({ onChoose }: { onChoose: (choice: DatasetChoice | undefined) => void }) {
  const builtins = useResource(async () => (await call((api) => api.GET('/v1/playground/datasets'))).datasets, [])
  const [uploadsVersion, setUploadsVersion] = useState(0)
  const uploads = useResource(
    async () => (await call((api) => api.GET('/v1/playground/uploads'))).datasets,
    [uploadsVersion],
  )
  const [key, setKey] = useState('builtin:IRIS')
  const detail = useResource(() => loadDetail(key), [key])
  const [file, setFile] = useState<File | undefined>(undefined)
  const [uploadName, setUploadName] = useState('')
  const [uploadError, setUploadError] = useState<unknown>(undefined)
  const [isUploading, setUploading] = useState(false)
  useEffect(() => onChoose(detail.data?.choice), [detail.data])

  async function upload(event: Event) {
    event.preventDefault()
    if (file === undefined) return
    setUploading(true)
    setUploadError(undefined)
    try {
      const created = await uploadCsv(file, uploadName.trim() || file.name)
      setUploadsVersion((v) => v + 1)
      setKey(`upload:${created.id}`)
    } catch (failure) {
      setUploadError(failure)
    } finally {
      setUploading(false)
    }
  }

  return (
    <section aria-labelledby="dataset-title">
      <h2 id="dataset-title">1. Data</h2>
      <div class="toolbar">
        <label>
          Dataset
          <select value={key} onChange={(e) => setKey((e.target as HTMLSelectElement).value)}>
            <optgroup label="Built in">
              {(builtins.data ?? []).map((d) => (
                <option key={d.name} value={`builtin:${d.name}`}>
                  {d.name} ({d.problemType}, {d.rows} rows)
                </option>
              ))}
            </optgroup>
            {(uploads.data?.length ?? 0) > 0 && (
              <optgroup label="Your uploads">
                {(uploads.data ?? []).map((d) => (
                  <option key={d.id} value={`upload:${d.id}`}>
                    {d.name} ({d.rows} rows)
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </label>
        <form class="inline" onSubmit={(e) => void upload(e)} aria-label="Upload a CSV">
          <label>
            CSV file
            <input
              type="file"
              accept=".csv,text/csv"
              onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0])}
            />
          </label>
          <label>
            Dataset name
            <input
              value={uploadName}
              onInput={(e) => setUploadName((e.target as HTMLInputElement).value)}
              placeholder="the file's name"
              maxLength={200}
            />
          </label>
          <button type="submit" disabled={file === undefined || isUploading}>
            Upload
          </button>
        </form>
      </div>
      <ErrorNote error={builtins.error ?? uploads.error} />
      <ErrorNote error={uploadError} />
      <Loaded resource={detail} what="the dataset">
        {(d) => (
          <>
            <p class="hint">{d.description}</p>
            <Table
              headers={['Column', 'Type', 'Distinct values']}
              caption={`Columns of ${d.choice.name}: ${d.choice.columns.length}, ${d.choice.rows} rows`}
            >
              {d.choice.columns.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>{c.type}</td>
                  <td>{c.distinct ?? '—'}</td>
                </tr>
              ))}
            </Table>
            <Table
              headers={d.choice.columns.map((c) => c.name)}
              caption={`First ${Math.min(PREVIEW_ROWS, d.preview.length)} rows`}
            >
              {d.preview.slice(0, PREVIEW_ROWS).map((row, r) => (
                <tr key={r}>
                  {d.choice.columns.map((c) => (
                    <td key={c.name}>{row[c.name]}</td>
                  ))}
                </tr>
              ))}
            </Table>
          </>
        )}
      </Loaded>
    </section>
  )
}
