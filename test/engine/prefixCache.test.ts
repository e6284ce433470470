// The disk cache of evaluated prefixes on the real engine and the synthetic model.
import { createHash } from "node:crypto";
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import * as fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEngine, type LocalEngine } from "../../src/backends/local/localEngine.js";
import { hashTokens, prefixCacheKey } from "../../src/core/cache/prefixCacheEntry.js";
import { prefixCacheFolderName } from "../../src/core/cache/prefixCacheFolder.js";
import { PrefixDiskCache, type CacheFileSystem } from "../../src/core/cache/prefixDiskCache.js";
import type { GenerationRequest } from "../../src/core/engine/engine.js";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";

let modelPath: string;
let scratch: string;
const engines: LocalEngine[] = [];

const stablePrefix = Array.from({ length: 40 }, (_, i) => `export function helper${i}(value: number): number {\n  return value * ${i};\n}\n`).join("");
const request = (tail: string): GenerationRequest => ({
  sequence: "chat",
  prompt: [{ token: "bos" }, { text: stablePrefix }, { text: tail }],
  stablePrefixSegments: 2,
  maxTokens: 12,
});

function engineWith(cacheDir: string, model = modelPath, maxBytes = 1024 ** 3): LocalEngine {
  const engine = createLocalEngine({
    modelPath: model,
    contextSize: 2048,
    threads: 1,
    diskCache: { directory: cacheDir, maxBytes, minTokens: 64 },
    restartPolicy: { maxCrashes: 5, windowMs: 60_000, baseDelayMs: 50, maxDelayMs: 200 },
  });
  engines.push(engine);
  return engine;
}

beforeAll(async () => {
  modelPath = await ensureSyntheticModel();
  scratch = await mkdtemp(path.join(os.tmpdir(), "deepseek-cache-test-"));
});

afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.dispose()));
  await rm(scratch, { recursive: true, force: true });
});

/** The cache's own folder inside the configured one (issue 19: it touches nothing else). */
const own = (dir: string) => path.join(dir, prefixCacheFolderName);
const entryFiles = async (dir: string) => (await readdir(own(dir))).filter((name) => /\.(kv|json)$/.test(name)).sort();

describe("disk cache of evaluated prefixes", () => {
  it("restores a prefix after kill -9 with the same greedy continuation as evaluating it", async () => {
    const dir = path.join(scratch, "restore");
    const engine = engineWith(dir);
    const first = await engine.generate(request("// first\n"));
    expect(first.metrics.restoredTokens).toBe(0);
    expect(await entryFiles(dir)).toHaveLength(2); // payload + header

    const killed = engine.supervisor.pid!;
    process.kill(killed, "SIGKILL");
    await new Promise<void>((resolve) => {
      const subscription = engine.supervisor.onStateChange((state) => {
        if (state.kind === "ready") {
          subscription.dispose();
          resolve();
        }
      });
    });
    expect(engine.supervisor.pid).not.toBe(killed);
    const again = await engine.generate(request("// first\n"));
    const stableTokens = (await engine.tokenize(stablePrefix)).length + 1; // + BOS
    expect(again.metrics.restoredTokens).toBe(stableTokens);
    expect(again.metrics.evaluatedTokens).toBeLessThan(again.metrics.promptTokens - stableTokens + 3);
    expect(again.text).toBe(first.text);

    // The same prompt evaluated with no cache at all continues identically.
    const uncached = createLocalEngine({ modelPath, contextSize: 2048, threads: 1 });
    engines.push(uncached);
    expect((await uncached.generate(request("// first\n"))).text).toBe(first.text);

    const stats = await engine.cacheStats();
    expect(stats.disk).toMatchObject({ hits: 1, entries: 1, corrupt: 0 });
    expect(stats.bytesPerToken).toBeGreaterThan(0);
    expect(stats.mlaLatentBytesPerToken).toBeGreaterThan(0);
  });

  it("deletes a bit-flipped or truncated entry instead of loading it", async () => {
    for (const damage of ["flip", "truncate"] as const) {
      const dir = path.join(scratch, `damaged-${damage}`);
      const writer = engineWith(dir);
      const original = await writer.generate(request("// damaged\n"));
      await writer.dispose();
      const payload = (await entryFiles(dir)).find((name) => name.endsWith(".kv"))!;
      const bytes = await readFile(path.join(own(dir), payload));
      const damaged = Buffer.from(bytes);
      if (damage === "flip") damaged[Math.floor(damaged.length / 2)] ^= 0xff;
      await writeFile(path.join(own(dir), payload), damage === "flip" ? damaged : damaged.subarray(0, damaged.length - 100));

      const reader = engineWith(dir);
      const result = await reader.generate(request("// damaged\n"));
      expect(result.metrics.restoredTokens).toBe(0);
      expect(result.text).toBe(original.text);
      const stats = await reader.cacheStats();
      expect(stats.disk?.corrupt).toBe(1);
      // The damaged entry is gone; the prefix was evaluated and saved afresh, identical to the original.
      const fresh = (await entryFiles(dir)).find((name) => name.endsWith(".kv"))!;
      expect(createHash("sha256").update(await readFile(path.join(own(dir), fresh))).digest("hex")).toBe(
        createHash("sha256").update(bytes).digest("hex"),
      );
      await reader.dispose();
    }
  });

  it("refuses a state file written for a different synthetic model", async () => {
    const dir = path.join(scratch, "foreign");
    const other = await ensureSyntheticModel({ seed: 7 });
    const writer = engineWith(dir, other);
    await writer.generate(request("// foreign\n"));
    const info = await writer.modelInfo();
    await writer.dispose();

    // Put the other model's entry where this model's entry for the same prefix would be.
    const tokens = [info.specialTokens.bos!, ...(await engineWith(dir).tokenize(stablePrefix))];
    const modelSha256 = createHash("sha256").update(await readFile(modelPath)).digest("hex");
    const key = prefixCacheKey({
      modelSha256,
      engineBuild: info.engineBuild,
      kvLayout: { contextSize: info.contextSize, flashAttention: info.flashAttention ?? false, kvType: "f16" },
      tokensSha256: hashTokens(tokens),
      tokenCount: tokens.length,
    });
    const [header, payload] = await entryFiles(dir).then((names) => [names.find((n) => n.endsWith(".json"))!, names.find((n) => n.endsWith(".kv"))!]);
    await copyFile(path.join(own(dir), payload), path.join(own(dir), `${key}.kv`));
    await copyFile(path.join(own(dir), header), path.join(own(dir), `${key}.json`));

    const reader = engines[engines.length - 1]!;
    const result = await reader.generate(request("// foreign\n"));
    expect(result.metrics.restoredTokens).toBe(0);
    expect((await reader.cacheStats()).disk?.corrupt).toBe(1);
  });

  it("keeps the disk cache under its size cap by evicting the least recently used", async () => {
    const dir = path.join(scratch, "evict");
    const probe = engineWith(dir);
    await probe.generate(request("// one\n"));
    const oneEntry = (await probe.cacheStats()).disk!.bytesOnDisk;
    await probe.dispose();

    const engine = engineWith(dir, modelPath, Math.floor(oneEntry * 2.5));
    for (const variant of ["a", "b", "c", "d"]) {
      await engine.generate({ ...request("// tail\n"), prompt: [{ token: "bos" }, { text: `// variant ${variant}\n${stablePrefix}` }, { text: "x" }] });
    }
    const stats = (await engine.cacheStats()).disk!;
    expect(stats.bytesOnDisk).toBeLessThanOrEqual(Math.floor(oneEntry * 2.5));
    expect(stats.entries).toBe(2);
    expect(stats.evictions).toBeGreaterThanOrEqual(2);
  });
});

describe("PrefixDiskCache on a full disk", () => {
  it("leaves no entry, warns once, turns itself off and loses nothing else", async () => {
    const dir = await mkdtemp(path.join(scratch, "enospc-"));
    let failWrites = true;
    const fullDisk: CacheFileSystem = {
      ...fs,
      writeFile: (async (...args: Parameters<typeof fs.writeFile>) => {
        if (failWrites) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
        return fs.writeFile(...args);
      }) as typeof fs.writeFile,
    };
    const warnings: string[] = [];
    const cache = new PrefixDiskCache(dir, 1024 ** 2, (message) => warnings.push(message), fullDisk);
    const fields = {
      modelSha256: "e".repeat(64),
      engineBuild: "test",
      kvLayout: { contextSize: 512, flashAttention: false, kvType: "f16" },
      tokensSha256: hashTokens([1, 2, 3]),
      tokenCount: 3,
    };
    const saved = await cache.save(fields, (tempPath) => fs.writeFile(tempPath, Buffer.alloc(1000, 7)));
    expect(saved).toBe(false);
    expect(await readdir(dir)).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/disk is full/);

    failWrites = false;
    expect(await cache.save(fields, (tempPath) => fs.writeFile(tempPath, Buffer.alloc(1000, 7)))).toBe(false);
    expect(await cache.restore(fields, async () => undefined)).toBe(false);
    expect(warnings).toHaveLength(1);
    expect((await cache.stats()).disabledReason).toMatch(/full/);
  });
});
