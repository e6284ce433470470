// The .part lock against real files and a real second process.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DownloadError } from "../../../src/core/models/download/downloadFailure";
import { formatLockOwner } from "../../../src/core/models/download/partLockOwner";
import { acquirePartLock, processExists } from "../../../src/download/partLock";

let dir: string;
let n = 0;
const lockPath = () => path.join(dir, `m${++n}.gguf.part.lock`);
const url = "https://example.test/m.gguf";

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dsl-part-lock-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function busy(promise: Promise<unknown>): Promise<DownloadError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DownloadError);
  expect((error as DownloadError).code).toBe("busy");
  return error as DownloadError;
}

describe("download .part lock", () => {
  it("is exclusive, names its holder, and is free again after release", async () => {
    const file = lockPath();
    const first = await acquirePartLock(file, url);
    const error = await busy(acquirePartLock(file, url));
    expect(error.message).toContain(`process ${process.pid}`);
    expect(error.message).toMatch(/another VS Code window/);
    await first.assertHeld();
    await first.release();
    expect(existsSync(file)).toBe(false);
    const second = await acquirePartLock(file, url);
    await second.release();
  });

  it("is held against a live process, and taken over once that process is gone", async () => {
    const file = lockPath();
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const pid = child.pid!;
    try {
      await writeFile(file, formatLockOwner({ pid, host: os.hostname(), token: "other", startedAt: new Date().toISOString() }));
      expect(processExists(pid)).toBe(true);
      const error = await busy(acquirePartLock(file, url));
      expect(error.message).toContain(`process ${pid}`);
    } finally {
      child.kill();
      await once(child, "exit");
    }
    expect(processExists(pid)).toBe(false);
    const lock = await acquirePartLock(file, url);
    expect(JSON.parse(await readFile(file, "utf8")).pid).toBe(process.pid);
    await lock.release();
  });

  it("a holder whose lock was taken over learns it before installing, and does not remove the new lock", async () => {
    const file = lockPath();
    const first = await acquirePartLock(file, url, { pid: 999_999_999 });
    // Judged stale by a second window (its "process" does not exist here), which takes over.
    const second = await acquirePartLock(file, url);
    await busy(first.assertHeld());
    await first.release();
    expect(existsSync(file)).toBe(true);
    await second.assertHeld();
    await second.release();
  });

  it("an unreadable lock is respected while fresh and taken over when old", async () => {
    const file = lockPath();
    await writeFile(file, "");
    await busy(acquirePartLock(file, url));
    const old = new Date(Date.now() - 60_000);
    await utimes(file, old, old);
    const lock = await acquirePartLock(file, url);
    await lock.release();
  });
});
