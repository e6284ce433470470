import { describe, expect, it } from "vitest";
import { formatLockOwner, lockIsStale, lockStaleAfterMs, parseLockOwner, type LockOwner } from "../../../src/core/models/download/partLockOwner";

const owner: LockOwner = { pid: 4242, host: "laptop", token: "t-1", startedAt: "2026-01-01T00:00:00.000Z" };
const now = 1_000_000_000;

describe("download lock owner", () => {
  it("round-trips and rejects anything that is not a lock record", () => {
    expect(parseLockOwner(formatLockOwner(owner))).toEqual(owner);
    for (const bad of ["", "{", "null", "[]", '{"pid":"1","host":"h","token":"t","startedAt":"s"}', '{"pid":-1,"host":"h","token":"t","startedAt":"s"}', '{"pid":1,"host":"h","token":"","startedAt":"s"}', "x".repeat(5000)]) {
      expect(parseLockOwner(bad)).toBeNull();
    }
  });

  it("a lock whose process is gone on this host is stale at once; a live one is not", () => {
    const seen = { owner, mtimeMs: now - 1000, nowMs: now, host: "laptop" };
    expect(lockIsStale({ ...seen, pidAlive: () => false })).toBe(true);
    expect(lockIsStale({ ...seen, pidAlive: () => true })).toBe(false);
  });

  it("a lock from another host is judged by its heartbeat only", () => {
    const seen = { owner: { ...owner, host: "desktop" }, nowMs: now, host: "laptop", pidAlive: () => false };
    expect(lockIsStale({ ...seen, mtimeMs: now - 60_000 })).toBe(false);
    expect(lockIsStale({ ...seen, mtimeMs: now - lockStaleAfterMs - 1 })).toBe(true);
  });

  it("a live pid whose lock has not been refreshed for long (a reused pid) is stale", () => {
    expect(lockIsStale({ owner, mtimeMs: now - lockStaleAfterMs - 1, nowMs: now, host: "laptop", pidAlive: () => true })).toBe(true);
  });

  it("an unreadable lock gets a short grace (it may be mid-write)", () => {
    const seen = { owner: null, nowMs: now, host: "laptop", pidAlive: () => false };
    expect(lockIsStale({ ...seen, mtimeMs: now - 1000 })).toBe(false);
    expect(lockIsStale({ ...seen, mtimeMs: now - 60_000 })).toBe(true);
  });
});
