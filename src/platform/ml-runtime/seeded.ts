// Seeded randomness for training: the same seed gives the same initial weights and batch order.

/** mulberry32: a uniform [0, 1) generator from a 32-bit seed. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), state | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** 0..count-1 in a Fisher-Yates order drawn from `random`. */
export function shuffled(count: number, random: () => number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i)
  for (let i = count - 1; i > 0; i -= 1) {
    const k = Math.floor(random() * (i + 1))
    ;[order[i], order[k]] = [order[k] as number, order[i] as number]
  }
  return order
}
