// CPU time the VM's host gave to others ("steal", /proc/stat): a slow day on a shared host looks
// like slow code unless the bench says how much of the CPU the host took meanwhile (issue 25,
// session 16: the editor bench read 0.2 one day and 0.6 the next on the same code).
import { readFileSync } from "node:fs";

export interface CpuTimes {
  steal: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat's text: steal and the sum of all fields, in jiffies. */
export function parseCpuTimes(procStat: string): CpuTimes | undefined {
  const line = procStat.split("\n").find((l) => l.startsWith("cpu "));
  const fields = line?.trim().split(/\s+/).slice(1).map(Number);
  if (!fields || fields.length < 8 || fields.some((f) => !Number.isFinite(f))) return undefined;
  // user nice system idle iowait irq softirq steal [guest guest_nice, already counted in user/nice]
  return { steal: fields[7]!, total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
}

/** A note of the steal share since the previous call ("" where /proc/stat is not there). */
export function stealSince(read: () => string = () => readFileSync("/proc/stat", "utf8")): () => string {
  const sample = () => {
    try {
      return parseCpuTimes(read());
    } catch {
      return undefined;
    }
  };
  let last = sample();
  return () => {
    const now = sample();
    const before = last;
    last = now;
    if (!now || !before || now.total <= before.total) return "";
    return `, host steal ${(((now.steal - before.steal) / (now.total - before.total)) * 100).toFixed(1)} %`;
  };
}
