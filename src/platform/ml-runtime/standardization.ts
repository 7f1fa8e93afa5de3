// Standardization of feature rows, fitted on the training rows only (the held-out rows never leak into it).

/** Per-feature mean and standard deviation of the first `rows` rows (a constant feature gets 1, so it stays 0). */
export function standardization(inputs: Float32Array, width: number, rows: number): { mean: number[]; std: number[] } {
  const mean = new Array<number>(width).fill(0)
  const squares = new Array<number>(width).fill(0)
  for (let r = 0; r < rows; r += 1) {
    for (let j = 0; j < width; j += 1) {
      const x = inputs[r * width + j] as number
      mean[j] = (mean[j] as number) + x
      squares[j] = (squares[j] as number) + x * x
    }
  }
  const n = Math.max(rows, 1)
  const std = mean.map((sum, j) => {
    const m = sum / n
    mean[j] = m
    const variance = (squares[j] as number) / n - m * m
    return variance > 1e-12 ? Math.sqrt(variance) : 1
  })
  return { mean, std }
}
