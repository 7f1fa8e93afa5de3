// The built-in datasets, shipped in the package (datasets/*.csv, exported once from Debian's
// python3-sklearn by scripts/export-sklearn-datasets.py): nothing is downloaded at run time.
// Names are the Deep Learning Playground's (CONTRACTS §5A); sources and licences: docs/playground.md.
import { readFile } from 'node:fs/promises'
import { AppError } from '../../errors.js'
import type { ProblemType } from './model-spec.schema.js'
import { parseCsvTable, type Table } from './table.js'

export interface BuiltinDataset {
  readonly name: string
  readonly file: string
  readonly problemType: ProblemType
  readonly description: string
  /** Rows that are also images: their shape and the value that is full intensity. */
  readonly image?: {
    readonly height: number
    readonly width: number
    readonly channels: number
    readonly maxValue: number
  }
}

export const BUILTIN_DATASETS: readonly BuiltinDataset[] = [
  {
    name: 'IRIS',
    file: 'iris.csv',
    problemType: 'classification',
    description: 'Fisher’s iris flowers: 150 rows, 4 measurements (cm), 3 species',
  },
  {
    name: 'WINE',
    file: 'wine.csv',
    problemType: 'classification',
    description: 'Wines of three cultivars: 178 rows, 13 chemical measurements',
  },
  {
    name: 'BREAST CANCER',
    file: 'breast-cancer.csv',
    problemType: 'classification',
    description: 'Wisconsin diagnostic breast cancer: 569 rows, 30 cell-nucleus features, malignant (0) or benign (1)',
  },
  {
    name: 'DIABETES',
    file: 'diabetes.csv',
    problemType: 'regression',
    description: 'Diabetes progression after one year: 442 rows, 10 baseline variables (mean-centred, scaled)',
  },
  {
    name: 'DIGITS',
    file: 'digits.csv',
    problemType: 'classification',
    description: 'Handwritten digits: 1797 images of 8x8 pixels (0-16), 10 classes',
    image: { height: 8, width: 8, channels: 1, maxValue: 16 },
  },
]

/** Names the seed offers that pulsebase does not ship, with why. */
const NOT_SHIPPED: Readonly<Record<string, string>> = {
  CALIFORNIAHOUSING:
    'CALIFORNIAHOUSING is not shipped with pulsebase: scikit-learn downloads it at run time and no npm or Debian package carries it. Upload it as a CSV instead.',
}

/** `datasets/` at the package root, from src/ (tsx) or dist/ alike. */
const ROOT = new URL('../../../datasets/', import.meta.url)
const cache = new Map<string, Promise<Table>>()

export function findBuiltin(name: string): BuiltinDataset {
  const found = BUILTIN_DATASETS.find((d) => d.name === name.toUpperCase())
  if (found !== undefined) return found
  throw new AppError(
    'invalid_argument',
    NOT_SHIPPED[name.toUpperCase()] ??
      `No built-in dataset "${name}"; there are ${BUILTIN_DATASETS.map((d) => d.name).join(', ')}`,
    [{ path: 'dataset', message: 'unknown built-in dataset' }],
  )
}

/** The dataset's table (read once per process); its target column is `target`. */
export function loadBuiltin(dataset: BuiltinDataset): Promise<Table> {
  let table = cache.get(dataset.name)
  if (table === undefined) {
    table = readFile(new URL(dataset.file, ROOT), 'utf8').then((text) =>
      parseCsvTable(text, { maxRows: 10_000, maxColumns: 100 }),
    )
    cache.set(dataset.name, table)
    table.catch(() => cache.delete(dataset.name))
  }
  return table
}
