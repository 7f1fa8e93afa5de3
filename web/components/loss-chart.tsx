import { useMemo } from 'preact/hooks'
import type { TrainingEpoch } from '../api/types'
import { Chart, type ChartOptions, INTEGER_STEPS, palette } from './chart'

/** The loss a model trains on, as the axis names it: the meditation LSTM's 'MSE', a classifier's 'cross-entropy', a playground model's own. */
export type LossName = string

const lossOptions = (loss: LossName): ChartOptions => ({
  scales: { x: { time: false } },
  axes: [
    { label: 'epoch', grid: { stroke: palette.grid }, incrs: INTEGER_STEPS },
    { label: `loss (${loss})`, grid: { stroke: palette.grid } },
  ],
  series: [
    { label: 'Epoch' },
    { label: 'Loss', stroke: palette.second, width: 2 },
    { label: 'Validation loss', stroke: palette.line, width: 2 },
  ],
  legend: { show: true },
  cursor: { drag: { x: false, y: false } },
})
/** One options object per loss name, so that a re-render does not rebuild the chart. */
const OPTIONS = new Map<LossName, ChartOptions>()
const optionsFor = (loss: LossName): ChartOptions =>
  OPTIONS.get(loss) ?? (OPTIONS.set(loss, lossOptions(loss)).get(loss) as ChartOptions)

/** Loss and validation loss per epoch; grows live as `training` events arrive. */
export function LossChart({
  epochs,
  label,
  loss = 'MSE',
}: {
  epochs: readonly TrainingEpoch[]
  label: string
  loss?: LossName
}) {
  const data = useMemo(() => {
    const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch)
    return [sorted.map((e) => e.epoch), sorted.map((e) => e.loss), sorted.map((e) => e.valLoss)] as [
      number[],
      number[],
      (number | null)[],
    ]
  }, [epochs])
  const last = data[1].at(-1)
  return (
    <Chart
      label={label}
      options={optionsFor(loss)}
      data={data}
      height={200}
      caption={`Loss curve: ${epochs.length} ${epochs.length === 1 ? 'epoch' : 'epochs'}${last === undefined ? '' : `, last loss ${last.toFixed(4)}`}`}
    />
  )
}
