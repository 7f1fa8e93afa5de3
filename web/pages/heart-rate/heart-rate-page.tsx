import { useState } from 'preact/hooks'
import { useLive } from '../../api/live'
import type { User } from '../../api/types'
import { AlertsList } from './alerts-list'
import { ExportButtons } from './export-buttons'
import { HistoryChart } from './history-chart'
import { HrvChart } from './hrv-chart'
import { LivePanel } from './live-panel'
import { RANGES, rangeEndingNow } from './range'
import { ZonesChart } from './zones-chart'

export function HeartRatePage({ user }: { user: User }) {
  const [rangeIndex, setRangeIndex] = useState(2)
  const [range, setRange] = useState(() => rangeEndingNow(2))
  // Bumped by every alert change: the history bands and the alert list read again.
  const [alertVersion, setAlertVersion] = useState(0)
  const bumpAlerts = () => setAlertVersion((v) => v + 1)
  useLive('alert', () => {
    setRange(rangeEndingNow(rangeIndex)) // a new episode is recent: keep the range ending now
    bumpAlerts()
  })

  function choose(index: number) {
    setRangeIndex(index)
    setRange(rangeEndingNow(index))
  }

  return (
    <>
      <h1>Heart rate</h1>
      <LivePanel />
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <div class="toolbar">
          <label>
            Range
            <select
              value={rangeIndex}
              onChange={(event) => choose(Number((event.currentTarget as HTMLSelectElement).value))}
            >
              {RANGES.map((r, i) => (
                <option key={r.label} value={i}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => choose(rangeIndex)}>
            Refresh history
          </button>
        </div>
        <HistoryChart range={range} version={alertVersion} />
      </section>
      <AlertsList version={alertVersion} onChanged={bumpAlerts} />
      <div class="columns">
        <ZonesChart range={range} version={alertVersion} settings={user.settings} />
        <HrvChart range={range} version={alertVersion} />
      </div>
      <ExportButtons range={range} />
    </>
  )
}
