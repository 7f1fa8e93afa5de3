import type { ModelSpec } from '../../api/types'

export type Layer = Extract<ModelSpec, { kind: 'network' }>['layers'][number]
/** The layers a table takes (convolutions need an image upload; see docs/playground.md). */
type TableLayer = Extract<Layer, { type: 'dense' | 'activation' | 'dropout' | 'batchNorm' }>
type Activation = Extract<Layer, { type: 'activation' }>['activation']

const ACTIVATIONS: readonly Activation[] = ['relu', 'sigmoid', 'tanh', 'softmax', 'leakyRelu']
const TYPES: readonly { type: TableLayer['type']; name: string }[] = [
  { type: 'dense', name: 'Dense (linear)' },
  { type: 'activation', name: 'Activation' },
  { type: 'dropout', name: 'Dropout' },
  { type: 'batchNorm', name: 'Batch norm' },
]

function layerOf(type: TableLayer['type']): TableLayer {
  if (type === 'dense') return { type, units: 10 }
  if (type === 'activation') return { type, activation: 'relu' }
  if (type === 'dropout') return { type, rate: 0.2 }
  return { type }
}

/** The hidden layers, then the output: dense layers of 10 with relu between, ending in `outputs` units. */
export const defaultLayers = (outputs: number): Layer[] => [
  { type: 'dense', units: 10 },
  { type: 'activation', activation: 'relu' },
  { type: 'dense', units: outputs },
]

/** What a layer's one setting is, with its accessible name. */
function LayerSetting({ layer, n, onChange }: { layer: Layer; n: number; onChange: (layer: Layer) => void }) {
  const number = (e: Event) => Number((e.target as HTMLInputElement).value)
  if (layer.type === 'dense') {
    return (
      <input
        type="number"
        min={1}
        max={4096}
        step={1}
        required
        aria-label={`Units of layer ${n}`}
        value={layer.units}
        onInput={(e) => onChange({ ...layer, units: number(e) })}
      />
    )
  }
  if (layer.type === 'activation') {
    return (
      <select
        aria-label={`Activation of layer ${n}`}
        value={layer.activation}
        onChange={(e) =>
          onChange({ type: 'activation', activation: (e.target as HTMLSelectElement).value as Activation })
        }
      >
        {ACTIVATIONS.map((a) => (
          <option key={a} value={a}>
            {a}
          </option>
        ))}
      </select>
    )
  }
  if (layer.type === 'dropout') {
    return (
      <input
        type="number"
        min={0}
        max={0.95}
        step={0.05}
        required
        aria-label={`Dropout rate of layer ${n}`}
        value={layer.rate}
        onInput={(e) => onChange({ ...layer, rate: number(e) })}
      />
    )
  }
  return <span class="hint">no settings</span>
}

/** An ordered list of layers: change a layer's type or setting, remove it, or add one at the end. */
export function LayersEditor({ layers, onChange }: { layers: readonly Layer[]; onChange: (layers: Layer[]) => void }) {
  const replace = (i: number, layer: Layer) => onChange(layers.map((l, j) => (j === i ? layer : l)))
  return (
    <fieldset>
      <legend>Layers (the last dense layer is the output: one unit per class, or 1 for regression)</legend>
      <ol class="layers">
        {layers.map((layer, i) => (
          <li key={i}>
            <select
              aria-label={`Type of layer ${i + 1}`}
              value={layer.type}
              onChange={(e) => replace(i, layerOf((e.target as HTMLSelectElement).value as TableLayer['type']))}
            >
              {TYPES.map((t) => (
                <option key={t.type} value={t.type}>
                  {t.name}
                </option>
              ))}
            </select>
            <LayerSetting layer={layer} n={i + 1} onChange={(next) => replace(i, next)} />
            <button
              type="button"
              class="danger"
              disabled={layers.length === 1}
              aria-label={`Remove layer ${i + 1}`}
              onClick={() => onChange(layers.filter((_, j) => j !== i))}
            >
              Remove
            </button>
          </li>
        ))}
      </ol>
      <div>
        {TYPES.map((t) => (
          <button type="button" key={t.type} onClick={() => onChange([...layers, layerOf(t.type)])}>
            Add {t.name.toLowerCase()}
          </button>
        ))}
      </div>
    </fieldset>
  )
}
