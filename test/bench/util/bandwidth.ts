// Sequential memory read bandwidth: the ceiling for token generation on CPU, where every generated
// token reads all active weights once (issue 11: decode limit = bandwidth / bytes per token).
//
// `Buffer#indexOf(byte)` is a memchr over the whole buffer when the byte is absent: a vectorised
// sequential read, the same access pattern as a matrix-vector product's weights. With `threads`
// > 1, that many worker threads each read their own slice at once, as llama.cpp's threads split a
// decode: one core alone does not reach what the memory system gives two (here ~26 vs ~31 GB/s).
import { Worker } from "node:worker_threads";

export interface BandwidthResult {
  /** Best run, in GB/s (10^9 bytes per second). */
  bestGBps: number;
  /** Median run, in GB/s. */
  medianGBps: number;
  bytes: number;
  runs: number;
  threads: number;
}

// Plain JavaScript, run with `eval`: the worker needs no loader. Each run waits for the main thread
// to bump `control[0]`, reads its slice, and counts itself done in `control[1]`.
const workerSource = `
const { workerData, parentPort } = require("node:worker_threads");
const { shared, control, start, end, runs } = workerData;
const slice = Buffer.from(shared, start, end - start);
parentPort.postMessage("ready");
for (let run = 0; run < runs; run++) {
  Atomics.wait(control, 0, run);
  if (slice.indexOf(0) !== -1) throw new Error("bandwidth probe: buffer corrupted");
  Atomics.add(control, 1, 1);
  Atomics.notify(control, 1);
}
`;

export async function measureReadBandwidth(options: { bytes?: number; runs?: number; threads?: number } = {}): Promise<BandwidthResult> {
  const bytes = options.bytes ?? 1 << 30;
  const runs = options.runs ?? 7;
  const threads = Math.max(1, options.threads ?? 1);
  const shared = new SharedArrayBuffer(bytes);
  // Filling touches every page, so the runs below measure reads, not page faults.
  Buffer.from(shared).fill(0x5a);
  const control = new Int32Array(new SharedArrayBuffer(8));
  const workers = Array.from({ length: threads }, (_, i) => {
    const start = Math.floor((bytes / threads) * i);
    const end = Math.floor((bytes / threads) * (i + 1));
    return new Worker(workerSource, { eval: true, workerData: { shared, control, start, end, runs } });
  });
  try {
    const failed = new Promise<never>((_, reject) => workers.forEach((w) => w.once("error", reject)));
    await Promise.race([Promise.all(workers.map((w) => new Promise((resolve) => w.once("message", resolve)))), failed]);
    const rates: number[] = [];
    for (let run = 0; run < runs; run++) {
      Atomics.store(control, 1, 0);
      const t0 = process.hrtime.bigint();
      Atomics.add(control, 0, 1);
      Atomics.notify(control, 0);
      for (let done = 0; done < threads; done = Atomics.load(control, 1)) Atomics.wait(control, 1, done, 1_000);
      rates.push(bytes / (Number(process.hrtime.bigint() - t0) / 1e9) / 1e9);
    }
    rates.sort((a, b) => a - b);
    return { bestGBps: rates[rates.length - 1]!, medianGBps: rates[rates.length >> 1]!, bytes, runs, threads };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
