// The seed's torchvision transform strings (`train_transform`, `test_transform`) read as data against
// the image dataset they would apply to. The seed ran eval() on them; here only the transforms that
// describe what pulsebase already does to the pixels are accepted (tensors, grey images, the
// dataset's own size), and anything else is a 400 naming the transform. Nothing is ever evaluated.
import { AppError } from '../../errors.js'

/** The pixel shape of an image dataset (built-in DIGITS, or an uploaded zip decoded at its upload). */
export interface PixelShape {
  readonly height: number
  readonly width: number
  readonly channels: number
}

const RESIZE =
  /^(?:transforms\.)?Resize\(\s*(?:\(\s*(\d{1,4})\s*,\s*(\d{1,4})\s*\)|\[\s*(\d{1,4})\s*,\s*(\d{1,4})\s*\]|(\d{1,4}))\s*\)$/
const GRAYSCALE = /^(?:transforms\.)?Grayscale\(\s*(?:(?:num_output_channels\s*=\s*)?(\d))?\s*\)$/
const TO_TENSOR = /^(?:transforms\.)?ToTensor\(\s*\)$/

/** Why one transform does not fit `shape`, or undefined when it describes what is done anyway. */
function findProblem(text: string, shape: PixelShape): string | undefined {
  if (TO_TENSOR.test(text)) return undefined
  const grey = GRAYSCALE.exec(text)
  if (grey !== null)
    return Number(grey[1] ?? 1) === 1 && shape.channels === 1
      ? undefined
      : `does not match the dataset's ${shape.channels} channel(s)`
  const resize = RESIZE.exec(text)
  if (resize !== null) {
    const [height, width] =
      resize[5] !== undefined
        ? [Number(resize[5]), Number(resize[5])]
        : [Number(resize[1] ?? resize[3]), Number(resize[2] ?? resize[4])]
    if (height === shape.height && width === shape.width) return undefined
    return `asks for ${height}x${width} images, but the dataset's images are ${shape.height}x${shape.width} (an upload's size is chosen when it is uploaded)`
  }
  return 'is not a transform pulsebase applies (ToTensor(), Grayscale(), or Resize to the dataset’s own size)'
}

/** Checks the seed's transform lists against the dataset's shape; a 400 naming the first one that does not fit. */
export function checkTransforms(lists: Readonly<Record<string, unknown>>, shape: PixelShape): void {
  for (const [key, list] of Object.entries(lists)) {
    if (list === undefined || list === null) continue
    if (
      !Array.isArray(list) ||
      list.length > 32 ||
      list.some((item) => typeof item !== 'string' || item.length > 200)
    ) {
      throw new AppError('invalid_argument', `${key} must be a list of transform strings`, [
        { path: `body.${key}`, message: 'not a list of strings' },
      ])
    }
    list.forEach((item: string, index) => {
      const problem = findProblem(item.trim(), shape)
      if (problem !== undefined)
        throw new AppError(
          'invalid_argument',
          `Transform ${index + 1} of ${key} (${JSON.stringify(item)}) ${problem}`,
          [{ path: `body.${key}.${index}`, message: problem }],
        )
    })
  }
}
