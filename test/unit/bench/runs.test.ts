// `npm run bench -- --runs N`: a goal is judged on the median of the runs, and the spread and the
// runs that met it are shown, so one lucky run on a quiet machine does not read as "met".
import { describe, expect, it } from "vitest";
import type { Metric } from "../../bench/types";
import { summarizeRuns } from "../../bench/util/runs";

const ratio = (value: number): Metric => ({ id: "engine.gen_tps_vs_llama_server", value, unit: "×", goal: ">= 0.95" });

describe("summarizeRuns", () => {
  it("judges a goal on the median: met in one run of three is not met", () => {
    const [row] = summarizeRuns([[ratio(0.9)], [ratio(1.02)], [ratio(0.91)]]);
    expect(row!.metric.value).toBe(0.91);
    expect(row!.metIn).toBe(1);
    expect(row!.spread).toBeCloseTo(0.12 / 0.91, 10);
    expect(row!.metric.note).toBe("median of 3 runs: 0.900 / 1.02 / 0.910; spread 13 %; goal met in 1 of 3");
    expect(row!.metric.goal).toBe(">= 0.95");
  });

  it("keeps the order metrics were first reported in, and a metric one run lacks has fewer values", () => {
    const latency = (value: number): Metric => ({ id: "fim.cold_ms", value, unit: "ms" });
    const rows = summarizeRuns([[latency(200), ratio(1)], [ratio(1.1)], [latency(240), ratio(0.97)]]);
    expect(rows.map((row) => row.metric.id)).toEqual(["fim.cold_ms", "engine.gen_tps_vs_llama_server"]);
    expect(rows[0]!.values).toEqual([200, 240]);
    expect(rows[0]!.metric.value).toBe(220);
    expect(rows[0]!.metIn).toBeUndefined();
    expect(rows[0]!.metric.note).toBe("median of 2 runs: 200.0 / 240.0; spread 18 %");
    expect(rows[1]!.metric.value).toBe(1);
  });

  it("says so when the median is near 0, rather than printing a spread of thousands of percent", () => {
    const extra = (value: number): Metric => ({ id: "remote.chat_overhead_extra_ms", value, unit: "ms", goal: "<= 10" });
    const [row] = summarizeRuns([[extra(-2.1)], [extra(-0.01)], [extra(2.1)]]);
    expect(row!.spread).toBeCloseTo(420, 5);
    expect(row!.metric.note).toContain("spread over 1000 % (a median near 0); goal met in 3 of 3");
  });

  it("reports no spread for equal values, even at zero", () => {
    const late = (value: number): Metric => ({ id: "fim.late_suggestions", value, unit: "", goal: "== 0" });
    const [row] = summarizeRuns([[late(0)], [late(0)]]);
    expect(row!.spread).toBe(0);
    expect(row!.metIn).toBe(2);
  });
});
