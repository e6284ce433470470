import type { BenchSection } from "../types";
import { measureReadBandwidth } from "../util/bandwidth";

export const bandwidth: BenchSection = {
  id: "bandwidth",
  title: "Memory read bandwidth (1 GiB sequential, one thread and the bench's threads)",
  async run(ctx) {
    const one = await measureReadBandwidth({ bytes: 1 << 30, runs: ctx.reps ?? 7 });
    ctx.report({ id: "machine.read_gbps", value: one.bestGBps, unit: "GB/s", note: `one thread, best of ${one.runs}` });
    ctx.report({ id: "machine.read_gbps_median", value: one.medianGBps, unit: "GB/s", note: `one thread, median of ${one.runs}` });
    if (ctx.threads > 1) {
      const all = await measureReadBandwidth({ bytes: 1 << 30, runs: ctx.reps ?? 7, threads: ctx.threads });
      ctx.report({ id: "machine.read_gbps_threads", value: all.bestGBps, unit: "GB/s", note: `${all.threads} threads, best of ${all.runs}` });
    }
  },
};
