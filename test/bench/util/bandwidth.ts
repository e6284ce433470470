// Sequential memory read bandwidth: the ceiling for token generation on CPU, where every generated
// token reads all active weights once (issue 11: decode limit = bandwidth / bytes per token).
//
// `Buffer#indexOf(byte)` is a memchr over the whole buffer when the byte is absent: a vectorised,
// single-threaded sequential read, the same access pattern as a matrix-vector product's weights.

export interface BandwidthResult {
  /** Best run, in GB/s (10^9 bytes per second). */
  bestGBps: number;
  /** Median run, in GB/s. */
  medianGBps: number;
  bytes: number;
  runs: number;
}

export function measureReadBandwidth(options: { bytes?: number; runs?: number } = {}): BandwidthResult {
  const bytes = options.bytes ?? 1 << 30;
  const runs = options.runs ?? 7;
  // Filling touches every page, so the runs below measure reads, not page faults.
  const buf = Buffer.allocUnsafeSlow(bytes).fill(0x5a);
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const found = buf.indexOf(0x00);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (found !== -1) throw new Error("bandwidth probe: buffer corrupted");
    rates.push(bytes / seconds / 1e9);
  }
  rates.sort((a, b) => a - b);
  return {
    bestGBps: rates[rates.length - 1]!,
    medianGBps: rates[rates.length >> 1]!,
    bytes,
    runs,
  };
}
