import { useMemo } from 'preact/hooks'
import { call } from '../../api/session'
import { Chart, type ChartOptions, INTEGER_STEPS, palette } from '../../components/chart'
import { Loaded } from '../../components/status'
import { Table } from '../../components/table'
import { useResource } from '../../components/use-resource'

const FISHER_OPTIONS: ChartOptions = {
  scales: { x: { time: false } },
  axes: [
    { label: 'channel index', grid: { stroke: palette.grid }, incrs: INTEGER_STEPS },
    { label: 'Fisher ratio', grid: { stroke: palette.grid } },
  ],
  series: [{}, { label: 'Fisher ratio', stroke: palette.bar, width: 2 }],
  legend: { show: false },
  cursor: { drag: { x: false, y: false } },
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`

/**
 * A dataset's quality report (GET /v1/sensor-datasets/:id/quality): the verdict in words, frames per
 * label, the cross-validated baseline next to the majority rate, and the Fisher ratio per channel.
 */
export function QualityReport({ datasetId, version }: { datasetId: string; version: number }) {
  const report = useResource(
    () => call((api) => api.GET('/v1/sensor-datasets/{id}/quality', { params: { path: { id: datasetId } } })),
    [datasetId, version],
  )
  const data = useMemo(() => {
    const channels = report.data?.channels ?? []
    return [channels.map((_, i) => i), channels.map((c) => c.fisherRatio)] as [number[], number[]]
  }, [report.data])
  return (
    <section aria-labelledby="quality-title">
      <h3 id="quality-title">Quality report</h3>
      <Loaded resource={report} what="the quality report">
        {(r) => (
          <>
            <p role="status" aria-label="Verdict">
              <strong>{r.verdict}</strong>: {r.summary}
            </p>
            <dl class="facts">
              <dt>Frames analysed</dt>
              <dd>{r.frames}</dd>
              <dt>Baseline accuracy</dt>
              <dd>
                {percent(r.baseline.accuracy)} (Gaussian naive Bayes, {r.baseline.folds}-fold cross-validated)
              </dd>
              <dt>Majority rate</dt>
              <dd>{percent(r.majorityRate)} (always guessing the largest label)</dd>
              <dt>Mean overlap</dt>
              <dd>{r.separability.meanOverlap.toFixed(2)} (1: labels look identical, 0: disjoint)</dd>
            </dl>
            <Table headers={['Label', 'Frames']} caption="Frames per label">
              {r.labels.map((l) => (
                <tr key={l.label}>
                  <td>{l.label}</td>
                  <td>{l.count}</td>
                </tr>
              ))}
            </Table>
            {r.channels.length > 0 && (
              <Chart
                label="Fisher ratio per channel"
                options={FISHER_OPTIONS}
                data={data}
                height={180}
                caption={`Between-label over within-label variance per channel; mean ${r.separability.meanFisherRatio.toFixed(2)}, highest ${r.separability.maxFisherRatio.toFixed(2)}`}
              />
            )}
          </>
        )}
      </Loaded>
    </section>
  )
}
