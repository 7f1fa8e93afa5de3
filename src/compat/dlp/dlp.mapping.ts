// The seed's training payload to a playground training request, and a finished run to the seed's
// training envelope (`dl_results` rows of strings, `auxiliary_outputs`).
import { AppError } from '../../errors.js'
import { findBuiltin } from '../../domains/playground/builtin-datasets.js'
import type { Loss } from '../../domains/playground/model-spec.schema.js'
import type { TrainingRequest } from '../../domains/playground/playground.schema.js'
import { getRun, type PlaygroundDeps, type RunOptions } from '../../domains/playground/playground.service.js'
import { resultsCsv } from '../../domains/playground/results.js'
import { checkTransforms, type PixelShape } from './transforms.js'
import { parseClassical, parseLayers } from './user-arch.js'

export type DlpBody = Record<string, unknown>

/** The seed's criterion names as playground losses. */
export const CRITERIA: Readonly<Record<string, Loss>> = {
  L1LOSS: 'l1',
  MSELOSS: 'mse',
  BCELOSS: 'bce',
  BCEWITHLOGITSLOSS: 'bceWithLogits',
  CELOSS: 'crossEntropy',
  WCELOSS: 'weightedCrossEntropy',
}

const invalid = (message: string) => new AppError('invalid_argument', message)
const NO_URL_FETCH = 'The server does not fetch files from a URL; send the rows as csv_data or upload the file'

function number(body: DlpBody, key: string, fallback: number): number {
  const value = body[key] ?? fallback
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  if (typeof parsed !== 'number' || !Number.isFinite(parsed)) throw invalid(`${key} must be a number`)
  return parsed
}

/** The seed's `csv_data`: a JSON string of row objects, as CSV text (header from the first row). */
function toCsv(csvData: string): Buffer {
  let rows: unknown
  try {
    rows = JSON.parse(csvData)
  } catch {
    throw invalid('csv_data is not a JSON list of rows')
  }
  if (!Array.isArray(rows) || rows.length === 0 || rows.some((row) => row === null || typeof row !== 'object'))
    throw invalid('csv_data is not a JSON list of rows')
  const header = Object.keys(rows[0] as object)
  const cell = (value: unknown) =>
    typeof value === 'number' ? String(value) : `"${String(value ?? '').replace(/"/g, '""')}"`
  const lines = (rows as Record<string, unknown>[]).map((row) => header.map((key) => cell(row[key])).join(','))
  return Buffer.from([header.map((h) => cell(h)).join(','), ...lines].join('\n'))
}

/** The training request and run fields of a `tabular-run`/`ml-run`/`writeToQueue` body. */
export async function dlpRequest(
  body: DlpBody,
  kind: 'tabular' | 'classical',
  upload: (csv: Buffer) => Promise<string>,
): Promise<{ request: TrainingRequest; run: RunOptions }> {
  const problemType = String(body.problem_type ?? '').toLowerCase()
  if (problemType !== 'classification' && problemType !== 'regression')
    throw invalid('A problem type must be specified. ')
  const builtin =
    typeof body.using_default_dataset === 'string' && body.using_default_dataset !== ''
      ? body.using_default_dataset
      : undefined
  let dataset: TrainingRequest['dataset']
  if (builtin !== undefined) dataset = { builtin }
  else if (typeof body.csv_data === 'string' && body.csv_data !== '')
    dataset = { id: await upload(toCsv(body.csv_data)) }
  else if (body.file_URL) throw invalid(NO_URL_FETCH)
  else throw invalid('Must specify an input file, target, and features if not selecting default dataset. ')
  const features = Array.isArray(body.features) && body.features.length > 0 ? body.features.map(String) : undefined
  const target = builtin !== undefined ? 'target' : typeof body.target === 'string' ? body.target : undefined
  if (target === undefined)
    throw invalid('Must specify an input file, target, and features if not selecting default dataset. ')
  const split = { testSize: number(body, 'test_size', 0.2), shuffle: body.shuffle !== false, seed: 0 }
  const model: TrainingRequest['model'] =
    kind === 'classical' ? parseClassical(String(body.user_arch ?? '')) : toNetwork(body)
  const request: TrainingRequest = {
    dataset,
    target,
    problemType,
    model,
    split,
    ...(features !== undefined && { features }),
  }
  const name =
    typeof body.custom_model_name === 'string' && body.custom_model_name !== ''
      ? body.custom_model_name.slice(0, 200)
      : `${builtin ?? 'upload'} ${kind}`
  return {
    request,
    run: { name, dataSource: kind === 'classical' ? 'CLASSICAL_ML' : 'TABULAR', clientRef: readClientRef(body) },
  }
}

const readClientRef = (body: DlpBody) =>
  typeof body.execution_id === 'string' ? body.execution_id.slice(0, 100) : undefined

/** An uploaded image dataset of the user's (its id and the pixel shape it was decoded to). */
export type ImageUpload = { readonly id: string; readonly image: PixelShape }

/**
 * The training request of an `img-run` body: a network on the built-in DIGITS images, or on the
 * user's newest uploaded image zip (`/api/upload` first, as the seed's client does). The transform
 * strings are checked against the dataset (transforms.ts); a URL is never fetched.
 */
export async function dlpImageRequest(
  body: DlpBody,
  newestImageUpload: () => Promise<ImageUpload | undefined>,
): Promise<{ request: TrainingRequest; run: RunOptions }> {
  const builtin =
    typeof body.using_default_dataset === 'string' && body.using_default_dataset !== ''
      ? findBuiltin(body.using_default_dataset)
      : undefined
  let dataset: TrainingRequest['dataset']
  let shape: PixelShape
  if (builtin !== undefined) {
    if (builtin.image === undefined)
      throw invalid(
        `${builtin.name} is not an image dataset; img-run trains on DIGITS or on an uploaded zip of one folder per class`,
      )
    dataset = { builtin: builtin.name }
    shape = builtin.image
  } else {
    if (body.file_URL) throw invalid(NO_URL_FETCH)
    const upload = await newestImageUpload()
    if (upload === undefined)
      throw invalid(
        'Upload a zip of one folder per class of images first (POST /api/upload), or choose the DIGITS dataset',
      )
    dataset = { id: upload.id }
    shape = upload.image
  }
  checkTransforms({ train_transform: body.train_transform, test_transform: body.test_transform }, shape)
  const split = { testSize: number(body, 'test_size', 0.2), shuffle: body.shuffle !== false, seed: 0 }
  const request: TrainingRequest = {
    dataset,
    target: builtin !== undefined ? 'target' : 'label',
    problemType: 'classification',
    model: toNetwork(body),
    split,
  }
  const name =
    typeof body.custom_model_name === 'string' && body.custom_model_name !== ''
      ? body.custom_model_name.slice(0, 200)
      : `${builtin?.name ?? 'upload'} image`
  return { request, run: { name, dataSource: 'IMAGE', clientRef: readClientRef(body) } }
}

function toNetwork(body: DlpBody): TrainingRequest['model'] {
  if (!Array.isArray(body.user_arch) || body.user_arch.some((layer) => typeof layer !== 'string'))
    throw invalid('At least one layer must be added. ')
  const loss = CRITERIA[String(body.criterion ?? '').toUpperCase()]
  if (loss === undefined) throw invalid('A criterion must be specified. ')
  const optimizer = String(body.optimizer_name ?? '').toLowerCase()
  if (optimizer !== 'sgd' && optimizer !== 'adam') throw invalid('An optimizer name must be specified. ')
  const batchSize = number(body, 'batch_size', 20)
  if (!Number.isInteger(batchSize) || batchSize < 2) throw invalid('Batch size cannot be less than 2')
  const epochs = number(body, 'epochs', 5)
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 1000)
    throw invalid('epochs must be a whole number from 1 to 1000')
  return {
    kind: 'network',
    layers: parseLayers(body.user_arch as string[]),
    loss,
    optimizer,
    learningRate: 0.05,
    epochs,
    batchSize,
  }
}

/** The seed's success body for a finished run. */
export async function trainingEnvelope(
  deps: PlaygroundDeps,
  userId: string,
  runId: string,
  body: DlpBody,
): Promise<Record<string, unknown>> {
  const run = await getRun(deps, userId, runId)
  const results = run.results
  if (results === null) throw invalid('The training produced no results')
  const [header, ...lines] = resultsCsv(results).trim().split('\n')
  const columns = (header as string).split(',')
  const dlResults = lines.map((line) =>
    Object.fromEntries(line.split(',').map((value, i) => [columns[i] as string, value])),
  )
  const auxiliary =
    results.problemType === 'classification'
      ? {
          confusion_matrix: results.confusionMatrix,
          numerical_category_list: results.labels,
          AUC_ROC_curve_data: (results.roc ?? []).map((curve) => [curve.fpr, curve.tpr, curve.auc]),
          numerical_category_list_AUC: results.labels,
          category_list: results.labels,
        }
      : {}
  return {
    message: 'Dataset trained and results outputted successfully',
    dl_results: dlResults,
    auxiliary_outputs: { ...auxiliary, user_arch: body.user_arch },
  }
}
