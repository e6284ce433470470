// Every process the harness starts is tracked here and stopped by its id: the whole process group
// it leads (code-server's extension host and the engine are its descendants), SIGTERM first,
// SIGKILL after a grace period. Ctrl+C, SIGTERM and an unexpected exit run the same cleanup.
import { spawn, type SpawnOptions } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';

export interface TrackedProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** Stops the process group; resolves when the leader has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<TrackedProcess>();
type Cleanup = () => Promise<void> | void;
const cleanups: Cleanup[] = [];

export interface SpawnTrackedOptions extends Omit<SpawnOptions, 'stdio' | 'detached'> {
  /** stdout and stderr are appended here. */
  logFile: string;
}

export function spawnTracked(name: string, command: string, args: string[], options: SpawnTrackedOptions): TrackedProcess {
  const { logFile, ...spawnOptions } = options;
  const out = createWriteStream(logFile, { flags: 'a' });
  // detached: the child leads its own process group, so one kill reaches its descendants and a
  // Ctrl+C in the terminal reaches only us (we then stop it ourselves, in order).
  const child = spawn(command, args, { ...spawnOptions, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(tracked);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (error) => {
      out.write(`[harness] ${name}: ${error.message}\n`);
    });
  });
  void exited.then(() => setTimeout(() => out.end(), 100));
  let stopping: Promise<void> | undefined;
  const tracked: TrackedProcess = {
    name,
    pid,
    exited,
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        signalGroup(pid, 'SIGTERM');
        const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
        if ((await Promise.race([exited, timer])) === 'timeout') signalGroup(pid, 'SIGKILL');
        await exited;
        // The leader may be gone while a descendant lingers in its group.
        signalGroup(pid, 'SIGKILL');
      })();
      return stopping;
    },
  };
  live.add(tracked);
  return tracked;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Registers cleanup to run (last registered first) on stopAll, Ctrl+C or exit. */
export function onCleanup(cleanup: Cleanup): void {
  cleanups.push(cleanup);
}

let stopping = false;
/** Whether stopAll has begun (a process exiting now was stopped, not crashed). */
export function isStopping(): boolean {
  return stopping;
}

export async function stopAll(): Promise<void> {
  stopping = true;
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      console.error(`[harness] cleanup failed: ${String(error)}`);
    }
  }
  await Promise.all([...live].map((p) => p.stop()));
}

let handlersInstalled = false;
/**
 * Ctrl+C / SIGTERM: stop everything, then exit 130 / 143 (or 0 where stopping is the normal way
 * to end, as for `npm start`). A plain exit kills what is left.
 */
export function installSignalHandlers(options: { exitZero?: boolean } = {}): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      console.error(`\n[harness] ${signal}: stopping everything this run started`);
      void stopAll().finally(() => process.exit(options.exitZero ? 0 : code));
    });
  }
  process.once('exit', () => {
    for (const p of live) signalGroup(p.pid, 'SIGKILL');
  });
}

/** Pids of live processes whose command line contains `needle`, each with its parent pid. */
export function findProcesses(needle: string): { pid: number; ppid: number; cmdline: string }[] {
  const found: { pid: number; ppid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (!cmdline.includes(needle)) continue;
      found.push({ pid: Number(entry), ppid: parentPid(Number(entry)), cmdline });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

export function parentPid(pid: number): number {
  // The comm field may hold spaces and parentheses; the fields after the last ')' are fixed.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Whether `pid` descends from `ancestor`. */
export function descendsFrom(pid: number, ancestor: number): boolean {
  for (let current = pid, hops = 0; current > 1 && hops < 64; hops++) {
    if (current === ancestor) return true;
    try {
      current = parentPid(current);
    } catch {
      return false;
    }
  }
  return false;
}
