// What Clear Cache asks before it deletes (issue 19: never unconfirmed, always saying how much and where).
import { describe, expect, it } from "vitest";
import { describeClearCache, describeClearedCache } from "../../../src/core/cache/describeCacheStats.js";

const disk = {
  enabled: true,
  disabledReason: null,
  directory: "/home/u/cache/deepseek-local-prefix-cache",
  maxBytes: 4 * 1024 ** 3,
  entries: 3,
  bytesOnDisk: 5 * 1024 ** 2,
  tokensOnDisk: 3000,
  hits: 0,
  misses: 0,
  writes: 3,
  corrupt: 0,
  evictions: 0,
};

describe("describeClearCache", () => {
  it("asks with the count, the size and the folder", () => {
    const prompt = describeClearCache(disk);
    expect(prompt.kind).toBe("confirm");
    if (prompt.kind !== "confirm") return;
    expect(prompt.message).toContain("3 cached prefixes");
    expect(prompt.message).toContain("5.0 MB");
    expect(prompt.message).toContain(disk.directory);
    expect(prompt.confirm).toBe("Delete");
    expect(describeClearedCache(disk)).toContain(disk.directory);
  });

  it("has nothing to ask when the cache is off or empty", () => {
    expect(describeClearCache(null).kind).toBe("nothing");
    const empty = describeClearCache({ ...disk, entries: 0, bytesOnDisk: 0 });
    expect(empty.kind).toBe("nothing");
    expect(empty.message).toContain(disk.directory);
  });

  it("counts one prefix in the singular", () => {
    const prompt = describeClearCache({ ...disk, entries: 1 });
    expect(prompt.message).toContain("1 cached prefix (");
  });
});
