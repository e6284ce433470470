// Who holds a download's .part, as written in its lock file, and when a lock is stale: its process
// is gone (same host), or it has not been refreshed for a long time (another host on a shared
// folder, or a process id since reused). The file's content is read back from disk, so it is parsed
// as untrusted text.

export interface LockOwner {
  pid: number;
  host: string;
  /** Random per holder: tells our lock from a lock that replaced it. */
  token: string;
  startedAt: string;
}

/** A live holder refreshes the lock's mtime this often. */
export const lockHeartbeatMs = 30_000;
/** A lock not refreshed for this long is stale even if a process with its pid exists. */
export const lockStaleAfterMs = 30 * 60_000;

export function formatLockOwner(owner: LockOwner): string {
  return `${JSON.stringify(owner)}\n`;
}

export function parseLockOwner(text: string): LockOwner | null {
  if (text.length > 4096) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { pid, host, token, startedAt } = value as Record<string, unknown>;
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return null;
  if (typeof host !== "string" || typeof token !== "string" || token.length === 0 || typeof startedAt !== "string") return null;
  return { pid, host, token, startedAt };
}

export interface LockObservation {
  /** null: the file could not be parsed (a crash while writing it, or not ours). */
  owner: LockOwner | null;
  /** The lock file's last modification (heartbeat), ms since the epoch. */
  mtimeMs: number;
  nowMs: number;
  host: string;
  /** Whether a process with this pid exists on this host. */
  pidAlive: (pid: number) => boolean;
}

/** Whether the lock may be taken over. An unreadable lock gets a short grace: it may be mid-write. */
export function lockIsStale(seen: LockObservation): boolean {
  const age = seen.nowMs - seen.mtimeMs;
  if (seen.owner === null) return age > 10_000;
  if (seen.owner.host === seen.host && !seen.pidAlive(seen.owner.pid)) return true;
  return age > lockStaleAfterMs;
}
