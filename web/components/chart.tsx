import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export type ChartData = uPlot.AlignedData
export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>

interface ChartProps {
  /** The chart's accessible name (it is an image to assistive technology; the caption says what it shows). */
  readonly label: string
  readonly options: ChartOptions
  readonly data: ChartData
  readonly height?: number
  /** Text under the chart, e.g. how many samples it shows; tests and screen readers read it. */
  readonly caption?: ComponentChildren
}

/**
 * A uPlot chart that fills its container's width. New data is drawn in place (no re-creation), so a
 * live chart stays cheap; a change of `options` (say, another series) builds the chart again.
 */
export function Chart({ label, options, data, height = 240, caption }: ChartProps) {
  const holder = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | undefined>(undefined)
  const latestData = useRef(data)
  latestData.current = data

  useEffect(() => {
    const element = holder.current
    if (element === null) return
    const chart = new uPlot(
      { ...options, width: Math.max(200, element.clientWidth), height },
      latestData.current,
      element,
    )
    plot.current = chart
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, element.clientWidth), height }))
    resize.observe(element)
    return () => {
      resize.disconnect()
      chart.destroy()
      plot.current = undefined
    }
  }, [options, height])

  useEffect(() => {
    plot.current?.setData(data)
  }, [data])

  return (
    <figure class="chart">
      <div ref={holder} role="img" aria-label={label} />
      {caption !== undefined && <figcaption>{caption}</figcaption>}
    </figure>
  )
}

/** Epoch milliseconds (ISO strings) to uPlot's epoch seconds. */
export const toSeconds = (iso: string | number): number => (typeof iso === 'number' ? iso : Date.parse(iso)) / 1000

/** Axis steps for a count (epochs, channel indexes): whole numbers only. */
export const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]

export const palette = {
  line: '#c0392b',
  second: '#2c6fbb',
  band: 'rgba(231, 76, 60, 0.18)',
  bar: '#2c6fbb',
  grid: '#e4e4e4',
}

/** A time x scale; a single instant gets five minutes either side (uPlot would widen it to years). */
export const timeScale: uPlot.Scale = {
  time: true,
  range: (u, min, max) => {
    const xs = u.data[0]
    const only = xs.length === 1 ? xs[0] : undefined
    return only === undefined ? [min, max] : [only - 300, only + 300]
  },
}

/** Options for a time series chart of one or more lines (points show by themselves where there is room). */
export function timeSeriesOptions(
  series: { label: string; stroke: string; unit?: string }[],
  yLabel: string,
): ChartOptions {
  return {
    scales: { x: timeScale },
    axes: [{ grid: { stroke: palette.grid } }, { label: yLabel, grid: { stroke: palette.grid } }],
    series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: false }))],
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
  }
}
