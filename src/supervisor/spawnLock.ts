// A lock file around "start the shared engine and wait for its socket", so that of several windows
// (or of several restarts after a crash) exactly one starts it. Created atomically (a hard link,
// which fails if the lock exists, like O_EXCL) holding the holder's pid: a lock whose holder is gone, or older than `staleMs`, is taken over.
import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";

export interface SpawnLockOptions {
  /** A lock held longer than this is stale whatever its pid says (a holder stuck or its pid reused). */
  staleMs: number;
  /** Give up waiting for another holder after this long. */
  timeoutMs: number;
  pollMs?: number;
  /** Whether a process is alive: injectable for tests. */
  isAlive?: (pid: number) => boolean;
  now?: () => number;
}

export interface HeldLock {
  release(): void;
}

interface LockContents {
  pid: number;
  since: number;
}

/** Takes the lock, waiting while a live holder has it; rejects past `timeoutMs`. */
export async function acquireSpawnLock(lockPath: string, options: SpawnLockOptions): Promise<HeldLock> {
  const now = options.now ?? Date.now;
  const alive = options.isAlive ?? isProcessAlive;
  const deadline = now() + options.timeoutMs;
  for (;;) {
    const held = tryCreate(lockPath, now());
    if (held) return held;
    const holder = readHolder(lockPath);
    const stale = !holder || !alive(holder.pid) || now() - holder.since > options.staleMs;
    if (stale) {
      removeIfSame(lockPath, holder);
      continue;
    }
    if (now() >= deadline) throw new Error(`Timed out waiting for the engine start lock ${lockPath} (held by pid ${holder.pid}).`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 50));
  }
}

/** Writes the holder to a file of its own, then links it as the lock: the lock never exists half-written. */
function tryCreate(lockPath: string, since: number): HeldLock | undefined {
  const contents: LockContents = { pid: process.pid, since };
  const draft = `${lockPath}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(draft, JSON.stringify(contents), { mode: 0o600, flag: "wx" });
  try {
    linkSync(draft, lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw error;
  } finally {
    unlinkSync(draft);
  }
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      removeIfSame(lockPath, contents);
    },
  };
}

/** The holder written in the file; undefined for a file being written or damaged (stale once old). */
function readHolder(lockPath: string): LockContents | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lockPath, "utf8")) as Partial<LockContents>;
    return typeof parsed.pid === "number" && typeof parsed.since === "number" ? { pid: parsed.pid, since: parsed.since } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the lock only if it still names `expected`: between reading a stale lock and removing
 * it, another window may have taken it over. A lock that could not be read is removed as it is.
 */
function removeIfSame(lockPath: string, expected: LockContents | undefined): void {
  const current = readHolder(lockPath);
  if (expected && current && (current.pid !== expected.pid || current.since !== expected.since)) return;
  try {
    unlinkSync(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
