// Memory figures of a process and of the machine, from /proc (Linux): what a model costs in RAM.
import { readFile } from "node:fs/promises";

export interface ProcessMemory {
  /** Peak resident set (VmHWM), bytes. */
  peakRssBytes: number;
  /** Resident set now (VmRSS), bytes. */
  rssBytes: number;
  /** Anonymous resident memory (RssAnon): copies the process made, which the kernel cannot drop. */
  anonBytes: number;
  /** Resident file-backed pages (RssFile): a mapped model file, which the kernel may drop and re-read. */
  fileBytes: number;
}

function kbField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
  if (!match) throw new Error(`/proc status has no ${name}`);
  return Number(match[1]) * 1024;
}

export async function processMemory(pid: number): Promise<ProcessMemory> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return {
    peakRssBytes: kbField(status, "VmHWM"),
    rssBytes: kbField(status, "VmRSS"),
    anonBytes: kbField(status, "RssAnon"),
    fileBytes: kbField(status, "RssFile"),
  };
}

/** MemAvailable: what can be allocated without swapping, page cache included. */
export async function availableMemoryBytes(): Promise<number> {
  return kbField(await readFile("/proc/meminfo", "utf8"), "MemAvailable");
}

export const GiB = 1024 ** 3;
