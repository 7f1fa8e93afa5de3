// An LSTM layer (returns the last hidden state) with the same maths as tf.layers.lstm, shaped
// around what is slow on the wasm backend (found by profiling bench/ml-epoch.ts): per-step
// bookkeeping in tfjs-layers' RNN and in autodiff, matMuls with a transposed operand (the default
// matMul gradient; ~10x slower than a transpose plus a plain matMul), and slices of large tensors
// (each copies its whole source through JS). The recurrence is one op with a hand-written
// backward pass (lstm-sequence.ts).
import type { LayerVariable, Tensor } from '@tensorflow/tfjs'
import { lstmSequence } from './lstm-sequence.js'
import type { Tf } from './tf-runtime.js'

export const FAST_LSTM_CLASS = 'PulsebaseFastLstm'

type Factory = (config: { units: number; inputShape?: number[] }) => InstanceType<Tf['layers']['Layer']>
let factory: Factory | undefined

/** The layer factory; the first call defines the class and registers it, so saved models load. */
export function fastLstm(tf: Tf): Factory {
  factory ??= defineFastLstm(tf)
  return factory
}

function defineFastLstm(tf: Tf): Factory {
  const sequence = lstmSequence(tf)
  class FastLstm extends tf.layers.Layer {
    static className = FAST_LSTM_CLASS
    readonly units: number
    private kernel!: LayerVariable
    private recurrentKernel!: LayerVariable
    private bias!: LayerVariable

    constructor(config: { units: number; inputShape?: number[] }) {
      super(config)
      this.units = config.units
    }

    override build(inputShape: (number | null)[]): void {
      const features = inputShape[inputShape.length - 1] as number
      const h = this.units
      this.kernel = this.addWeight('kernel', [features, 4 * h], 'float32', tf.initializers.glorotUniform({}))
      this.recurrentKernel = this.addWeight(
        'recurrent_kernel',
        [h, 4 * h],
        'float32',
        tf.initializers.glorotUniform({}),
      )
      // Forget-gate bias starts at 1 (unit_forget_bias), as tf.layers.lstm does.
      const bias = Array.from({ length: 4 * h }, (_, i) => (i >= h && i < 2 * h ? 1 : 0))
      this.bias = this.addWeight('bias', [4 * h], 'float32', { apply: () => tf.tensor1d(bias) } as never)
      this.built = true
    }

    override computeOutputShape(inputShape: (number | null)[]): (number | null)[] {
      return [inputShape[0] as number | null, this.units]
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor
      return sequence(x, this.kernel.read(), this.recurrentKernel.read(), this.bias.read())
    }

    override getConfig() {
      return { ...super.getConfig(), units: this.units }
    }
  }
  tf.serialization.registerClass(FastLstm)
  return (config) => new FastLstm(config)
}
