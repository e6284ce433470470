// Plain-text tables for the terminal: one per section.
import { checkGoal, type Metric } from "../types";

export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

export function mark(metric: Metric): string {
  if (!metric.goal) return "";
  return checkGoal(metric.value, metric.goal) ? "pass" : "FAIL";
}

export function renderTable(title: string, metrics: readonly Metric[]): string {
  const header = ["metric", "value", "unit", "goal", "", "note"];
  const rows = metrics.map((m) => [m.id, formatValue(m.value), m.unit, m.goal ?? "", mark(m), m.note ?? ""]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [`== ${title}`, line(header), rule, ...rows.map(line)].join("\n");
}
