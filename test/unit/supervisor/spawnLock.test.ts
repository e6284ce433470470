// The lock around starting the shared engine: one holder at a time, a dead or stale holder taken over.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireSpawnLock } from "../../../src/supervisor/spawnLock.js";

let dir: string;
let lockPath: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "spawn-lock-"));
  lockPath = path.join(dir, "engine.lock");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("acquireSpawnLock", () => {
  it("lets one holder in at a time: the second waits until the first releases", async () => {
    const first = await acquireSpawnLock(lockPath, { staleMs: 60_000, timeoutMs: 5_000 });
    expect(JSON.parse(readFileSync(lockPath, "utf8"))).toMatchObject({ pid: process.pid });
    let secondHeld = false;
    const second = acquireSpawnLock(lockPath, { staleMs: 60_000, timeoutMs: 5_000, pollMs: 10 }).then((lock) => {
      secondHeld = true;
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(secondHeld).toBe(false);
    first.release();
    (await second).release();
    expect(secondHeld).toBe(true);
    expect(existsSync(lockPath)).toBe(false);
  });

  it("of many waiting at once, exactly one holds the lock at any moment", async () => {
    let holders = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const lock = await acquireSpawnLock(lockPath, { staleMs: 60_000, timeoutMs: 10_000, pollMs: 5 });
        most = Math.max(most, ++holders);
        await new Promise((resolve) => setTimeout(resolve, 10));
        holders--;
        lock.release();
      }),
    );
    expect(most).toBe(1);
  });

  it("takes over a lock whose holder is gone", async () => {
    writeFileSync(lockPath, JSON.stringify({ pid: 999_999, since: Date.now() }));
    const lock = await acquireSpawnLock(lockPath, { staleMs: 60_000, timeoutMs: 1_000, isAlive: (pid) => pid !== 999_999 });
    expect(JSON.parse(readFileSync(lockPath, "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("takes over a live holder's lock once it is older than staleMs, and a damaged one", async () => {
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, since: Date.now() - 10_000 }));
    (await acquireSpawnLock(lockPath, { staleMs: 5_000, timeoutMs: 1_000 })).release();
    writeFileSync(lockPath, "not json");
    (await acquireSpawnLock(lockPath, { staleMs: 5_000, timeoutMs: 1_000 })).release();
  });

  it("gives up past timeoutMs while a live holder keeps it, naming the holder", async () => {
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, since: Date.now() }));
    await expect(acquireSpawnLock(lockPath, { staleMs: 60_000, timeoutMs: 100, pollMs: 10 })).rejects.toThrow(`held by pid ${process.pid}`);
  });

  it("a release after the lock was taken over leaves the new holder's lock alone", async () => {
    const old = await acquireSpawnLock(lockPath, { staleMs: 60_000, timeoutMs: 1_000 });
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, since: Date.now() + 1 }));
    old.release();
    expect(existsSync(lockPath)).toBe(true);
  });
});
