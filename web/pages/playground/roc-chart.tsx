import { useMemo } from 'preact/hooks'
import type { RunResults } from '../../api/types'
import { Chart, type ChartData, type ChartOptions, palette } from '../../components/chart'
import { Table } from '../../components/table'

type Roc = NonNullable<RunResults['roc']>[number]
const COLOURS = [
  palette.line,
  palette.second,
  '#2e8b57',
  '#8e44ad',
  '#d35400',
  '#16a085',
  '#7f8c8d',
  '#c71585',
  '#b8860b',
  '#2f4f4f',
]

/** uPlot's x-y mode: each curve has its own false-positive rates (x) and true-positive rates (y). */
function rocOptions(curves: readonly Roc[]): ChartOptions {
  return {
    mode: 2,
    scales: { x: { time: false, auto: false, range: [0, 1] }, y: { auto: false, range: [0, 1] } },
    axes: [
      { label: 'false-positive rate', grid: { stroke: palette.grid } },
      { label: 'true-positive rate', grid: { stroke: palette.grid } },
    ],
    series: [
      {},
      ...curves.map((c, i) => ({
        label: `${c.label} (AUC ${c.auc.toFixed(3)})`,
        stroke: COLOURS[i % COLOURS.length],
        width: 2,
        points: { show: false },
      })),
    ],
    legend: { show: true, live: false },
    cursor: { show: false },
  }
}

/** One-vs-rest ROC curves of a classifier with the AUC of each class (the table carries the numbers too). */
export function RocChart({ curves }: { curves: readonly Roc[] }) {
  const options = useMemo(() => rocOptions(curves), [curves])
  const data = useMemo(() => [null, ...curves.map((c) => [c.fpr, c.tpr])] as unknown as ChartData, [curves])
  const mean = curves.reduce((sum, c) => sum + c.auc, 0) / Math.max(curves.length, 1)
  return (
    <>
      <Chart
        label="ROC curve per class, one against the rest"
        options={options}
        data={data}
        height={280}
        caption={`ROC curves of ${curves.length} classes; mean AUC ${mean.toFixed(3)}`}
      />
      <Table headers={['Class', 'AUC']} caption="Area under the ROC curve per class">
        {curves.map((c) => (
          <tr key={c.label}>
            <td>{c.label}</td>
            <td>{c.auc.toFixed(3)}</td>
          </tr>
        ))}
      </Table>
    </>
  )
}
