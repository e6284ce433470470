// An exclusive lock on a download's .part, across processes and VS Code windows: a lock file created
// with O_EXCL that names its holder (pid, host, a random token) and is refreshed while held. Two
// windows appending to one .part would interleave their bytes; the second one is told who holds it.
import { randomUUID } from "node:crypto";
import { link, open, readFile, rename, rm, stat, utimes } from "node:fs/promises";
import os from "node:os";
import { DownloadError } from "../core/models/download/downloadFailure.js";
import { formatLockOwner, lockHeartbeatMs, lockIsStale, parseLockOwner, type LockOwner } from "../core/models/download/partLockOwner.js";

export interface PartLock {
  /** Throws `busy` when the lock is no longer ours (another holder judged it stale and took over). */
  assertHeld(): Promise<void>;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

export interface PartLockOptions {
  host?: string;
  pid?: number;
  now?: () => number;
  pidAlive?: (pid: number) => boolean;
  heartbeatMs?: number;
}

/** Whether a process with this id exists (EPERM: it exists but belongs to someone else). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function busyError(url: string, owner: LockOwner | null): DownloadError {
  const who = owner ? `process ${owner.pid} on ${owner.host}, since ${owner.startedAt}` : "a process that is still starting it";
  return new DownloadError(
    "busy",
    `${url} is already being downloaded into the same file by another VS Code window (${who}). Wait for that download to finish, or close that window and run “Download Model…” again to resume.`,
    url,
  );
}

async function readLock(lockPath: string): Promise<{ text: string; mtimeMs: number } | null> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, "utf8"), stat(lockPath)]);
    return { text, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Takes the lock at `lockPath` for a download of `url`, or throws `busy` naming the holder. */
export async function acquirePartLock(lockPath: string, url: string, options: PartLockOptions = {}): Promise<PartLock> {
  const host = options.host ?? os.hostname();
  const now = options.now ?? Date.now;
  const pidAlive = options.pidAlive ?? processExists;
  const me: LockOwner = { pid: options.pid ?? process.pid, host, token: randomUUID(), startedAt: new Date(now()).toISOString() };

  for (let tries = 0; tries < 3; tries++) {
    try {
      const handle = await open(lockPath, "wx", 0o600);
      try {
        await handle.writeFile(formatLockOwner(me));
      } finally {
        await handle.close();
      }
      return heldLock(lockPath, url, me, options.heartbeatMs ?? lockHeartbeatMs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new DownloadError("writeFailed", `Cannot create ${lockPath} (${(error as Error).message}). Check the model folder (deepseekLocal.model.folder).`, url);
      }
    }
    const seen = await readLock(lockPath);
    if (seen === null) continue; // released meanwhile
    const owner = parseLockOwner(seen.text);
    if (!lockIsStale({ owner, mtimeMs: seen.mtimeMs, nowMs: now(), host, pidAlive })) throw busyError(url, owner);
    // Take over a stale lock without removing a fresh one that replaced it since we looked: move it
    // aside (atomic), and if what was moved is not what we judged stale, put it back.
    const aside = `${lockPath}.stale-${randomUUID()}`;
    try {
      await rename(lockPath, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    const moved = await readFile(aside, "utf8").catch(() => null);
    if (moved !== seen.text) {
      await link(aside, lockPath).catch(() => undefined);
      await rm(aside, { force: true });
      throw busyError(url, moved === null ? null : parseLockOwner(moved));
    }
    await rm(aside, { force: true });
  }
  throw busyError(url, null);
}

function heldLock(lockPath: string, url: string, me: LockOwner, heartbeatMs: number): PartLock {
  const expected = formatLockOwner(me);
  const heartbeat = setInterval(() => {
    const at = new Date();
    void utimes(lockPath, at, at).catch(() => undefined);
  }, heartbeatMs);
  heartbeat.unref();
  let released = false;
  const isOurs = async () => (await readLock(lockPath))?.text === expected;
  return {
    async assertHeld() {
      if (released || !(await isOurs())) {
        const current = await readLock(lockPath);
        throw busyError(url, current ? parseLockOwner(current.text) : null);
      }
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      if (await isOurs().catch(() => false)) await rm(lockPath, { force: true });
    },
  };
}
