import { useMemo } from 'preact/hooks'
import type { TrainingEpoch } from '../api/types'
import { Chart, type ChartOptions, INTEGER_STEPS, palette } from './chart'

/** The loss each model kind trains on: the meditation LSTM's mean squared error, a classifier's cross-entropy. */
export type LossName = 'MSE' | 'cross-entropy'

const lossOptions = (loss: LossName): ChartOptions => ({
  scales: { x: { time: false } },
  axes: [{ label: 'epoch', grid: { stroke: palette.grid }, incrs: INTEGER_STEPS }, { label: `loss (${loss})`, grid: { stroke: palette.grid } }],
  series: [{ label: 'Epoch' }, { label: 'Loss', stroke: palette.second, width: 2 }, { label: 'Validation loss', stroke: palette.line, width: 2 }],
  legend: { show: true },
  cursor: { drag: { x: false, y: false } },
})
const OPTIONS: Record<LossName, ChartOptions> = { MSE: lossOptions('MSE'), 'cross-entropy': lossOptions('cross-entropy') }

/** Loss and validation loss per epoch; grows live as `training` events arrive. */
export function LossChart({ epochs, label, loss = 'MSE' }: { epochs: readonly TrainingEpoch[]; label: string; loss?: LossName }) {
  const data = useMemo(() => {
    const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch)
    return [sorted.map((e) => e.epoch), sorted.map((e) => e.loss), sorted.map((e) => e.valLoss)] as [number[], number[], (number | null)[]]
  }, [epochs])
  const last = data[1].at(-1)
  return (
    <Chart
      label={label}
      options={OPTIONS[loss]}
      data={data}
      height={200}
      caption={`Loss curve: ${epochs.length} ${epochs.length === 1 ? 'epoch' : 'epochs'}${last === undefined ? '' : `, last loss ${last.toFixed(4)}`}`}
    />
  )
}
