// Image datasets from a zip of one folder per class (`cats/1.png`, `dogs/a.jpg`, optionally under
// one top folder): each image decoded by pure-JS decoders (pngjs, jpeg-js), resized to one size and
// turned into a row of pixel values (0-255) with its class as `label`. Nothing is written to disk,
// so entry names never become paths; still, any name with `..`, a leading `/` or a drive is refused
// (zip slip), and sizes are bounded before and while inflating (zip bombs).
import { createRequire } from 'node:module'
import type jpegJs from 'jpeg-js'
import type { PNG as Png } from 'pngjs'
import type yauzl from 'yauzl'
import { AppError } from '../../errors.js'
import type { Column, Table } from './table.js'

// The decoders and the zip reader load on the first image upload (synchronous requires: decoding is).
const require = createRequire(import.meta.url)
const decoders = () => ({
  PNG: (require('pngjs') as { PNG: typeof Png }).PNG,
  jpeg: require('jpeg-js') as typeof jpegJs,
})
const zipReader = () => require('yauzl') as typeof yauzl

export interface ImageZipLimits {
  readonly maxFiles: number
  /** Inflated bytes of one image file, and of all of them together. */
  readonly maxFileBytes: number
  readonly maxTotalBytes: number
  /** Pixels of one decoded image (width x height). */
  readonly maxPixels: number
}

export const IMAGE_ZIP_LIMITS: ImageZipLimits = {
  maxFiles: 5_000,
  maxFileBytes: 4 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxPixels: 4_000_000,
}

export interface ImageShape {
  readonly height: number
  readonly width: number
  /** 1 (grey) or 3 (RGB). */
  readonly channels: 1 | 3
}

const invalid = (message: string) => new AppError('invalid_argument', message, [{ path: 'body', message }])
const IMAGE = /\.(png|jpe?g)$/i

/** `class/file.png` or `top/class/file.png`; throws for a name that could escape a folder. */
export function classOfEntry(name: string): string | undefined {
  if (
    name.includes('\\') ||
    name.split('/').some((part) => part === '..') ||
    name.startsWith('/') ||
    /^[A-Za-z]:/.test(name)
  )
    throw invalid(`The zip entry "${name}" has a path that leaves its folder`)
  if (name.endsWith('/') || name.startsWith('__MACOSX/') || !IMAGE.test(name)) return undefined
  const parts = name.split('/')
  if (parts.length < 2 || parts.length > 3)
    throw invalid(`"${name}" is not in a class folder: the zip holds one folder per class of PNG or JPEG files`)
  return parts.at(-2) as string
}

function decode(
  name: string,
  bytes: Buffer,
  limits: ImageZipLimits,
): { width: number; height: number; rgba: Uint8Array } {
  const { PNG, jpeg } = decoders()
  try {
    if (/\.png$/i.test(name)) {
      const png = PNG.sync.read(bytes)
      if (png.width * png.height > limits.maxPixels) throw invalid(`${name} has more than ${limits.maxPixels} pixels`)
      return { width: png.width, height: png.height, rgba: png.data }
    }
    const image = jpeg.decode(bytes, {
      useTArray: true,
      maxResolutionInMP: limits.maxPixels / 1e6,
      maxMemoryUsageInMB: 256,
    })
    return { width: image.width, height: image.height, rgba: image.data }
  } catch (error) {
    if (error instanceof AppError) throw error
    throw invalid(`${name} is not a readable PNG or JPEG image`)
  }
}

/** Nearest-neighbour resize to the shape; grey is the mean of R, G and B. Values 0-255, row-major, channels last. */
export function toPixels(image: { width: number; height: number; rgba: Uint8Array }, shape: ImageShape): number[] {
  const out: number[] = []
  for (let y = 0; y < shape.height; y += 1) {
    const sy = Math.min(image.height - 1, Math.floor(((y + 0.5) * image.height) / shape.height))
    for (let x = 0; x < shape.width; x += 1) {
      const sx = Math.min(image.width - 1, Math.floor(((x + 0.5) * image.width) / shape.width))
      const at = (sy * image.width + sx) * 4
      const [r, g, b] = [image.rgba[at] as number, image.rgba[at + 1] as number, image.rgba[at + 2] as number]
      if (shape.channels === 1) out.push(Math.round((r + g + b) / 3))
      else out.push(r, g, b)
    }
  }
  return out
}

/** Every image entry's class and bytes, inflated under the limits. */
async function readEntries(
  zip: Buffer,
  limits: ImageZipLimits,
): Promise<{ name: string; label: string; bytes: Buffer }[]> {
  const file = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    zipReader().fromBuffer(
      zip,
      { lazyEntries: true, validateEntrySizes: true, strictFileNames: true },
      (error, opened) =>
        error ? reject(invalid(`The upload is not a readable zip: ${error.message}`)) : resolve(opened),
    ),
  )
  const entries: { name: string; label: string; bytes: Buffer }[] = []
  let total = 0
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => {
      file.close()
      reject(error instanceof AppError ? error : invalid(`The zip could not be read: ${(error as Error).message}`))
    }
    file.on('error', fail)
    file.on('end', () => resolve(entries))
    file.on('entry', (entry: yauzl.Entry) => {
      try {
        const label = classOfEntry(entry.fileName)
        if (label === undefined) return file.readEntry()
        if (entries.length >= limits.maxFiles) throw invalid(`The zip has more than ${limits.maxFiles} images`)
        if (entry.uncompressedSize > limits.maxFileBytes)
          throw invalid(`${entry.fileName} inflates past ${limits.maxFileBytes} bytes`)
        total += entry.uncompressedSize
        if (total > limits.maxTotalBytes) throw invalid(`The images inflate past ${limits.maxTotalBytes} bytes in all`)
        file.openReadStream(entry, (error, stream) => {
          if (error) return fail(error)
          const parts: Buffer[] = []
          stream.on('data', (part: Buffer) => parts.push(part))
          stream.on('error', fail)
          stream.on('end', () => {
            entries.push({ name: entry.fileName, label, bytes: Buffer.concat(parts) })
            file.readEntry()
          })
        })
      } catch (error) {
        fail(error)
      }
    })
    file.readEntry()
  })
}

/** The zip as a table: `pixel_<y>_<x>[_<c>]` number columns and the `label` column, in entry order. */
export async function imageZipTable(
  zip: Buffer,
  shape: ImageShape,
  limits: ImageZipLimits = IMAGE_ZIP_LIMITS,
): Promise<Table> {
  const entries = await readEntries(zip, limits)
  const labels = new Set(entries.map((e) => e.label))
  if (entries.length === 0 || labels.size < 2)
    throw invalid('The zip needs PNG or JPEG images in at least two class folders')
  const rows = entries.map((entry) => toPixels(decode(entry.name, entry.bytes, limits), shape))
  const names: string[] = []
  for (let y = 0; y < shape.height; y += 1)
    for (let x = 0; x < shape.width; x += 1)
      for (let c = 0; c < shape.channels; c += 1)
        names.push(shape.channels === 1 ? `pixel_${y}_${x}` : `pixel_${y}_${x}_${c}`)
  const columns: Column[] = names.map((name, j) => ({
    name,
    type: 'number',
    values: rows.map((row) => row[j] as number),
  }))
  columns.push({ name: 'label', type: 'string', values: entries.map((e) => e.label) })
  return { columns, rows: entries.length }
}
