import { useMemo } from 'preact/hooks'
import type { TrainingEpoch } from '../../api/types'
import { Chart, type ChartOptions, INTEGER_STEPS, palette } from '../../components/chart'

const OPTIONS: ChartOptions = {
  scales: { x: { time: false }, y: { range: [0, 1] } },
  axes: [
    { label: 'epoch', grid: { stroke: palette.grid }, incrs: INTEGER_STEPS },
    { label: 'accuracy', grid: { stroke: palette.grid } },
  ],
  series: [
    { label: 'Epoch' },
    { label: 'Training accuracy', stroke: palette.second, width: 2 },
    { label: 'Test accuracy', stroke: palette.line, width: 2 },
  ],
  legend: { show: true },
  cursor: { drag: { x: false, y: false } },
}

/** Training and test accuracy per epoch (share of rows right); grows live as `training` events arrive. */
export function AccuracyChart({ epochs, label }: { epochs: readonly TrainingEpoch[]; label: string }) {
  const data = useMemo(() => {
    const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch)
    return [
      sorted.map((e) => e.epoch),
      sorted.map((e) => e.accuracy ?? null),
      sorted.map((e) => e.valAccuracy ?? null),
    ] as [number[], (number | null)[], (number | null)[]]
  }, [epochs])
  const last = data[2].at(-1)
  return (
    <Chart
      label={label}
      options={OPTIONS}
      data={data}
      height={200}
      caption={`Accuracy curve: ${epochs.length} ${epochs.length === 1 ? 'epoch' : 'epochs'}${last === undefined || last === null ? '' : `, last test accuracy ${(last * 100).toFixed(1)} %`}`}
    />
  )
}
