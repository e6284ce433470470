// Several whole runs of the bench (`--runs N`), summarised per metric: a figure on this shared
// 2-core machine swings from run to run, so a goal is judged on the median of the runs, and the
// spread and the count of runs that met it are shown beside it (issue 24).
import { checkGoal, type Metric } from "../types";
import { median } from "./stats";
import { formatValue } from "./table";

export interface RunsSummary {
  /** The median of the runs' values; goal, unit and id as the runs reported them. */
  metric: Metric;
  values: number[];
  /** (max − min) ÷ |median|; 0 for a single value, Infinity around a median of 0 with a spread. */
  spread: number;
  /** Runs whose own value met the goal (undefined without a goal). */
  metIn?: number;
}

/** One row per metric id, in the order first reported; a metric missing from a run has fewer values. */
export function summarizeRuns(runs: readonly (readonly Metric[])[]): RunsSummary[] {
  const byId = new Map<string, Metric[]>();
  for (const run of runs) {
    for (const metric of run) byId.set(metric.id, [...(byId.get(metric.id) ?? []), metric]);
  }
  return [...byId.values()].map((reported) => {
    const values = reported.map((m) => m.value);
    const middle = median(values);
    const range = Math.max(...values) - Math.min(...values);
    const spread = range === 0 ? 0 : range / Math.abs(middle);
    const { id, unit, goal } = reported[0]!;
    const metIn = goal === undefined ? undefined : values.filter((value) => checkGoal(value, goal)).length;
    const of = `${values.length} run${values.length === 1 ? "" : "s"}`;
    const note = `median of ${of}: ${values.map(formatValue).join(" / ")}; spread ${spread <= 10 ? `${(spread * 100).toFixed(0)} %` : "over 1000 % (a median near 0)"}${metIn === undefined ? "" : `; goal met in ${metIn} of ${values.length}`}`;
    return { metric: { id, value: middle, unit, goal, note }, values, spread, metIn };
  });
}
