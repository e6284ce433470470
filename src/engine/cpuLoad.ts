// How many cores other processes keep busy: all cores' busy time (os.cpus, every platform) less
// this process's own CPU time, over the last moments. The thread governor gives generation more
// than one thread only where the cores left free hold them all (threadGovernor.ts).
import os from "node:os";

interface Reading {
  /** Busy milliseconds of all cores, niced work included (a niced build still takes cores). */
  busyMs: number;
  ownMs: number;
  at: number;
}

function read(): Reading {
  let busyMs = 0;
  for (const { times } of os.cpus()) busyMs += times.user + times.nice + times.sys + times.irq;
  const own = process.cpuUsage();
  return { busyMs, ownMs: (own.user + own.system) / 1000, at: performance.now() };
}

export class OtherProcessesLoad {
  private last = read();
  private cores = 0;

  /** Readings closer together than this return the last figure (the counters tick in 10 ms steps). */
  constructor(private readonly minIntervalMs = 250) {}

  /** Cores busy with other processes since the previous reading (0 where the counters say nothing). */
  busyCores(): number {
    // Asked at every generated token: the counters are read only once the interval has passed.
    if (performance.now() - this.last.at < this.minIntervalMs) return this.cores;
    const now = read();
    const wallMs = now.at - this.last.at;
    const other = now.busyMs - this.last.busyMs - (now.ownMs - this.last.ownMs);
    this.cores = Math.max(0, other / wallMs);
    this.last = now;
    return this.cores;
  }
}

/** Cores of this machine, as the governor weighs them against other processes' load. */
export function machineCores(): number {
  return os.availableParallelism();
}
