// The playground's model: structured JSON checked by a schema, never code. A network is a list of
// layers with a loss, an optimizer and the training settings; a classical model is an algorithm
// name with its literal options (ml.js). The defaults are the Deep Learning Playground's
// (CONTRACTS §5A: learning rate 0.05, 5 epochs, batch 20, test size 0.2, shuffle). Defaults inside
// the model union are applied in code (prepare.ts): JSON Schema ignores them under anyOf.
import { type Static, Type } from 'typebox'

const Units = Type.Integer({ minimum: 1, maximum: 4096 })
const strict = { additionalProperties: false } as const

export const Activation = Type.Union([
  Type.Literal('relu'),
  Type.Literal('sigmoid'),
  Type.Literal('tanh'),
  Type.Literal('softmax'),
  Type.Literal('leakyRelu'),
])
export type Activation = Static<typeof Activation>

/** One layer; `dense` is PyTorch's `nn.Linear` (its input width comes from the previous layer). */
export const Layer = Type.Union([
  Type.Object({ type: Type.Literal('dense'), units: Units }, strict),
  Type.Object(
    {
      type: Type.Literal('activation'),
      activation: Activation,
      negativeSlope: Type.Optional(
        Type.Number({ minimum: 0, maximum: 1, description: 'leakyRelu only; PyTorch default 0.01' }),
      ),
    },
    strict,
  ),
  Type.Object({ type: Type.Literal('dropout'), rate: Type.Number({ minimum: 0, maximum: 0.95 }) }, strict),
  Type.Object({ type: Type.Literal('batchNorm') }, strict),
  Type.Object(
    {
      type: Type.Literal('conv2d'),
      filters: Type.Integer({ minimum: 1, maximum: 256 }),
      kernelSize: Type.Integer({ minimum: 1, maximum: 11 }),
      stride: Type.Optional(Type.Integer({ minimum: 1, maximum: 8, description: 'default 1' })),
      padding: Type.Optional(
        Type.Union([Type.Literal('valid'), Type.Literal('same')], { description: 'valid (the default) or same' }),
      ),
    },
    strict,
  ),
  Type.Object(
    {
      type: Type.Literal('maxPool2d'),
      poolSize: Type.Integer({ minimum: 1, maximum: 8 }),
      stride: Type.Optional(Type.Integer({ minimum: 1, maximum: 8 })),
    },
    strict,
  ),
  Type.Object({ type: Type.Literal('flatten') }, strict),
])
export type Layer = Static<typeof Layer>

/** PyTorch's losses by the seed's names: L1, MSE, BCE (on probabilities), BCE with logits, cross-entropy (on logits) and cross-entropy weighted by inverse class frequency. */
export const Loss = Type.Union([
  Type.Literal('l1'),
  Type.Literal('mse'),
  Type.Literal('bce'),
  Type.Literal('bceWithLogits'),
  Type.Literal('crossEntropy'),
  Type.Literal('weightedCrossEntropy'),
])
export type Loss = Static<typeof Loss>

export const NetworkSpec = Type.Object(
  {
    kind: Type.Literal('network'),
    layers: Type.Array(Layer, { minItems: 1, maxItems: 64 }),
    loss: Loss,
    optimizer: Type.Optional(
      Type.Union([Type.Literal('sgd'), Type.Literal('adam')], {
        description: 'sgd (the default, as the seed) or adam',
      }),
    ),
    learningRate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10, description: 'default 0.05' })),
    epochs: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'default 5' })),
    batchSize: Type.Optional(Type.Integer({ minimum: 2, maximum: 8192, description: 'default 20' })),
  },
  strict,
)
export type NetworkSpec = Static<typeof NetworkSpec>

/** A classical model: options are literals only, each checked against the algorithm's closed list. */
export const ClassicalSpec = Type.Object(
  {
    kind: Type.Literal('classical'),
    algorithm: Type.Union([
      Type.Literal('decisionTree'),
      Type.Literal('randomForest'),
      Type.Literal('knn'),
      Type.Literal('logisticRegression'),
      Type.Literal('linearRegression'),
      Type.Literal('naiveBayes'),
    ]),
    options: Type.Optional(
      Type.Object(
        {
          maxDepth: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'decisionTree, randomForest' })),
          minSamplesLeaf: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 1000, description: 'decisionTree, randomForest' }),
          ),
          nEstimators: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'randomForest' })),
          maxFeatures: Type.Optional(
            Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'randomForest: share of features per tree' }),
          ),
          k: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'knn' })),
          maxIterations: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 100_000, description: 'logisticRegression' }),
          ),
          learningRate: Type.Optional(
            Type.Number({ exclusiveMinimum: 0, maximum: 10, description: 'logisticRegression' }),
          ),
        },
        strict,
      ),
    ),
  },
  strict,
)
export type ClassicalSpec = Static<typeof ClassicalSpec>

export const ModelSpec = Type.Union([NetworkSpec, ClassicalSpec])
export type ModelSpec = Static<typeof ModelSpec>

export const ProblemType = Type.Union([Type.Literal('classification'), Type.Literal('regression')])
export type ProblemType = Static<typeof ProblemType>

/** How the rows are split; a stratified split (per class) is used for classification when shuffling. */
export const SplitSpec = Type.Object(
  {
    testSize: Type.Optional(Type.Number({ minimum: 0.05, maximum: 0.5, default: 0.2 })),
    shuffle: Type.Optional(Type.Boolean({ default: true })),
    stratify: Type.Optional(Type.Boolean({ default: true, description: 'classification only, when shuffling' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, default: 0 })),
  },
  strict,
)
export type SplitSpec = Static<typeof SplitSpec>
