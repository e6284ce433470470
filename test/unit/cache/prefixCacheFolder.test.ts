// The names the disk cache may touch in its own folder, and what a starting process sweeps.
import { describe, expect, it } from "vitest";
import {
  classifyCacheFile,
  isOwnMarker,
  markerText,
  planSweep,
  staleAfterMs,
  tempFileName,
} from "../../../src/core/cache/prefixCacheFolder.js";

const key = "0123456789abcdef0123456789abcdef01234567";

describe("classifyCacheFile", () => {
  it("knows only the names the cache produces", () => {
    expect(classifyCacheFile(`${key}.json`)).toEqual({ kind: "header", key });
    expect(classifyCacheFile(`${key}.kv`)).toEqual({ kind: "payload", key });
    expect(classifyCacheFile(tempFileName(42, "00112233aabbccdd", "kv"))).toEqual({ kind: "temp", pid: 42 });
    expect(classifyCacheFile("model-ids.memo.77.tmp")).toEqual({ kind: "temp", pid: 77 });
    expect(classifyCacheFile("CACHEDIR.TAG")).toEqual({ kind: "marker" });
    expect(classifyCacheFile("model-ids.memo")).toEqual({ kind: "memo" });
  });

  it("leaves alone every other name, including the ones the old cache deleted", () => {
    for (const name of ["package.json", "tsconfig.json", "data.kv", "tmp-notes.txt", "tmp-build.kv", "tmp-1-zz.kv", `${key}.json.bak`, `X${key}.kv`, `${key.toUpperCase()}.kv`]) {
      expect(classifyCacheFile(name), name).toBeNull();
    }
  });

  it("temp names carry the pid and 16 hex digits", () => {
    expect(tempFileName(7, "ffffffffffffffff", "json")).toBe("tmp-7-ffffffffffffffff.json");
    expect(() => tempFileName(7, "xyz", "kv")).toThrow();
  });
});

describe("isOwnMarker", () => {
  it("accepts its own Cache Directory Tag and no other", () => {
    expect(isOwnMarker(markerText)).toBe(true);
    expect(markerText.startsWith("Signature: 8a477f597d28d172789f06886806bc55")).toBe(true);
    expect(isOwnMarker("Signature: 8a477f597d28d172789f06886806bc55\n# some other tool's cache\n")).toBe(false);
    expect(isOwnMarker("")).toBe(false);
  });
});

describe("planSweep", () => {
  const alive = new Set([100]);
  const isAlive = (pid: number) => alive.has(pid);
  const fresh = 1_000;
  const old = staleAfterMs + 1;

  it("removes temp files of dead processes and stale ones; keeps a live writer's", () => {
    const files = [
      { name: tempFileName(100, "00000000000000aa", "kv"), ageMs: fresh },
      { name: tempFileName(100, "00000000000000bb", "json"), ageMs: old },
      { name: tempFileName(200, "00000000000000cc", "kv"), ageMs: fresh },
      { name: "model-ids.memo.200.tmp", ageMs: fresh },
    ];
    expect(planSweep(files, isAlive).sort()).toEqual([files[1]!.name, files[2]!.name, files[3]!.name].sort());
  });

  it("removes a payload without header only once no writer can still commit it", () => {
    const other = "f".repeat(40);
    const files = [
      { name: `${key}.kv`, ageMs: fresh },
      { name: `${other}.kv`, ageMs: old },
      { name: `${"e".repeat(40)}.kv`, ageMs: old },
      { name: `${"e".repeat(40)}.json`, ageMs: old },
    ];
    expect(planSweep(files, isAlive)).toEqual([`${other}.kv`]);
  });

  it("never names a file outside the scheme, however old", () => {
    const files = ["package.json", "tmp-notes.txt", "data.kv", "CACHEDIR.TAG", "model-ids.memo"].map((name) => ({ name, ageMs: old }));
    expect(planSweep(files, () => false)).toEqual([]);
  });
});
