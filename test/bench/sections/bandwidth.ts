import type { BenchSection } from "../types";
import { measureReadBandwidth } from "../util/bandwidth";

export const bandwidth: BenchSection = {
  id: "bandwidth",
  title: "Memory read bandwidth (1 GiB sequential, one thread)",
  async run(ctx) {
    const r = measureReadBandwidth({ bytes: 1 << 30, runs: ctx.reps ?? 7 });
    ctx.report({ id: "machine.read_gbps", value: r.bestGBps, unit: "GB/s", note: `best of ${r.runs}` });
    ctx.report({ id: "machine.read_gbps_median", value: r.medianGBps, unit: "GB/s", note: `median of ${r.runs}` });
  },
};
