// The Deep Learning Playground's `user_arch` strings (`nn.Linear(4, 10)`, `nn.ReLU()`,
// `DecisionTreeClassifier(max_depth=3)`) read by a strict parser into the playground's structured
// model: a closed list of constructor names, each with literal arguments only (numbers, True/False,
// None). The seed ran eval() on them; here anything else is a 400 naming the offending layer, and
// no string is ever evaluated.
import { AppError } from '../../errors.js'
import type { ClassicalSpec, Layer } from '../../domains/playground/model-spec.schema.js'

type Literal = number | boolean | null
interface Call {
  readonly name: string
  readonly args: Literal[]
  readonly kwargs: Record<string, Literal>
}

const CALL = /^\s*([A-Za-z][A-Za-z0-9_.]*)\s*\((.*)\)\s*$/s
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const KWARG = /^([a-z_][a-z0-9_]*)\s*=\s*(.+)$/

function literal(text: string): Literal | undefined {
  const value = text.trim()
  if (NUMBER.test(value)) return Number(value)
  if (value === 'True') return true
  if (value === 'False') return false
  if (value === 'None') return null
  return undefined
}

/** `Name(1, 2.5, key=True)` as data, or undefined when it is anything else. */
export function parseCall(text: string): Call | undefined {
  const match = CALL.exec(text)
  if (match === null || text.length > 200) return undefined
  const [, name, inside] = match as unknown as [string, string, string]
  const args: Literal[] = []
  const kwargs: Record<string, Literal> = {}
  for (const part of inside.trim() === '' ? [] : inside.split(',')) {
    const keyword = KWARG.exec(part.trim())
    const value = literal(keyword === null ? part : (keyword[2] as string))
    if (value === undefined) return undefined
    if (keyword === null) {
      if (Object.keys(kwargs).length > 0) return undefined
      args.push(value)
    } else kwargs[keyword[1] as string] = value
  }
  return { name, args, kwargs }
}

const bad = (index: number, text: string, why: string) =>
  new AppError('invalid_argument', `Layer ${index + 1} (${JSON.stringify(text)}) ${why}`, [
    { path: `body.user_arch.${index}`, message: why },
  ])

function integer(value: Literal | undefined, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new Error('takes whole numbers of at least 1')
  return value
}

function fraction(value: Literal | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || value < 0 || value > 1) throw new Error('takes a number from 0 to 1')
  return value
}

/** One PyTorch layer constructor as a playground layer; throws a sentence for anything else. */
function toLayer(call: Call): Layer {
  const [a, b, c] = call.args
  const k = call.kwargs
  switch (call.name.replace(/^nn\./, '')) {
    case 'Linear':
      integer(k.in_features ?? a)
      return { type: 'dense', units: integer(k.out_features ?? b) }
    case 'ReLU':
      return { type: 'activation', activation: 'relu' }
    case 'Sigmoid':
      return { type: 'activation', activation: 'sigmoid' }
    case 'Tanh':
      return { type: 'activation', activation: 'tanh' }
    case 'Softmax':
      return { type: 'activation', activation: 'softmax' }
    case 'LeakyReLU':
      return { type: 'activation', activation: 'leakyRelu', negativeSlope: fraction(k.negative_slope ?? a, 0.01) }
    case 'Dropout':
      return { type: 'dropout', rate: Math.min(0.95, fraction(k.p ?? a, 0.5)) }
    case 'BatchNorm1d':
    case 'BatchNorm2d':
      integer(k.num_features ?? a)
      return { type: 'batchNorm' }
    case 'Conv2d':
      integer(k.in_channels ?? a)
      return {
        type: 'conv2d',
        filters: integer(k.out_channels ?? b),
        kernelSize: integer(k.kernel_size ?? c),
        stride: integer(k.stride ?? call.args[3], 1),
        padding: (k.padding ?? call.args[4] ?? 0) === 0 ? 'valid' : 'same',
      }
    case 'MaxPool2d':
      return {
        type: 'maxPool2d',
        poolSize: integer(k.kernel_size ?? a),
        ...(k.stride !== undefined || b !== undefined ? { stride: integer(k.stride ?? b) } : {}),
      }
    case 'Flatten':
      return { type: 'flatten' }
    default:
      throw new Error(
        'is not a layer the playground knows (Linear, ReLU, Sigmoid, Tanh, Softmax, LeakyReLU, Dropout, BatchNorm1d, BatchNorm2d, Conv2d, MaxPool2d, Flatten)',
      )
  }
}

/** The seed's `user_arch` list as playground layers; a 400 naming the first layer it cannot read. */
export function parseLayers(userArch: readonly string[]): Layer[] {
  if (userArch.length === 0)
    throw new AppError('invalid_argument', 'At least one layer must be added. ', [
      { path: 'body.user_arch', message: 'empty' },
    ])
  return userArch.map((text, index) => {
    const call = parseCall(text)
    if (call === undefined)
      throw bad(index, text, 'is not a constructor with literal arguments, such as nn.Linear(4, 10)')
    try {
      return toLayer(call)
    } catch (error) {
      throw bad(index, text, (error as Error).message)
    }
  })
}

/** A scikit-learn constructor string as a classical playground model. */
export function parseClassical(text: string): ClassicalSpec {
  const call = parseCall(text)
  if (call === undefined)
    throw bad(0, text, 'is not a constructor with literal arguments, such as DecisionTreeClassifier(max_depth=3)')
  const k = call.kwargs
  const depth = k.max_depth === undefined || k.max_depth === null ? {} : { maxDepth: integer(k.max_depth) }
  try {
    switch (call.name) {
      case 'DecisionTreeClassifier':
      case 'DecisionTreeRegressor':
        return {
          kind: 'classical',
          algorithm: 'decisionTree',
          options: {
            ...depth,
            ...(k.min_samples_leaf !== undefined && { minSamplesLeaf: integer(k.min_samples_leaf) }),
          },
        }
      case 'RandomForestClassifier':
      case 'RandomForestRegressor':
        return {
          kind: 'classical',
          algorithm: 'randomForest',
          options: { ...depth, nEstimators: integer(k.n_estimators, 100) },
        }
      case 'KNeighborsClassifier':
        return { kind: 'classical', algorithm: 'knn', options: { k: integer(k.n_neighbors ?? call.args[0], 5) } }
      case 'LogisticRegression':
        return {
          kind: 'classical',
          algorithm: 'logisticRegression',
          options: { maxIterations: integer(k.max_iter, 1000) },
        }
      case 'LinearRegression':
        return { kind: 'classical', algorithm: 'linearRegression' }
      case 'GaussianNB':
        return { kind: 'classical', algorithm: 'naiveBayes' }
      default:
        throw new Error(
          'is not a model the playground knows (DecisionTreeClassifier/Regressor, RandomForestClassifier/Regressor, KNeighborsClassifier, LogisticRegression, LinearRegression, GaussianNB)',
        )
    }
  } catch (error) {
    throw bad(0, text, (error as Error).message)
  }
}

/** The May-2023 client's layer names (`parameters_data.layers[].value`) as the constructors above. */
const LAYER_VALUES: Readonly<Record<string, string>> = {
  LINEAR: 'Linear',
  RELU: 'ReLU',
  SIGMOID: 'Sigmoid',
  TANH: 'Tanh',
  SOFTMAX: 'Softmax',
  LEAKYRELU: 'LeakyReLU',
  DROPOUT: 'Dropout',
  BATCHNORM1D: 'BatchNorm1d',
  BATCHNORM2D: 'BatchNorm2d',
  CONV2D: 'Conv2d',
  MAXPOOL2D: 'MaxPool2d',
  FLATTEN: 'Flatten',
}

/**
 * The May-2023 client's `parameters_data.layers` (`[{value: "LINEAR", parameters: [4, 10]}, …]`,
 * positional parameters as PyTorch takes them) as playground layers: the same closed list and
 * checks as the `user_arch` strings. A name off the list (e.g. `LOGSOFTMAX`, which the playground
 * has no layer for) or a bad parameter is a 400 naming the layer.
 */
export function parseLayerObjects(layers: readonly { value: string; parameters: readonly number[] }[]): Layer[] {
  if (layers.length === 0)
    throw new AppError('invalid_argument', 'At least one layer must be added. ', [
      { path: 'body.parameters_data.layers', message: 'empty' },
    ])
  return layers.map((layer, index) => {
    const text = `${layer.value}(${layer.parameters.join(', ')})`
    const fail = (why: string) =>
      new AppError('invalid_argument', `Layer ${index + 1} (${JSON.stringify(text)}) ${why}`, [
        { path: `body.parameters_data.layers.${index}`, message: why },
      ])
    const name = LAYER_VALUES[layer.value.toUpperCase()]
    if (name === undefined) throw fail(`is not a layer the playground knows (${Object.keys(LAYER_VALUES).join(', ')})`)
    try {
      return toLayer({ name, args: [...layer.parameters], kwargs: {} })
    } catch (error) {
      throw fail((error as Error).message)
    }
  })
}
