// Show Cache Stats and Clear Cache. The cache belongs to the local engine: its KV in memory while it
// runs, and the disk folder of evaluated prefixes. A running engine reports and clears both; when it
// does not run, the disk folder is read and cleared from here, and the model is never loaded for it
// (issue 27 item 2, issue 26).
import { stat } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { describeCacheStats, describeClearCache, describeClearedCache, describeMemoryOnlyClear } from "../core/cache/describeCacheStats.js";
import { prefixCacheFolderName } from "../core/cache/prefixCacheFolder.js";
import { PrefixDiskCache } from "../core/cache/prefixDiskCache.js";
import type { CacheStats } from "../protocol/engine.js";
import type { ExtensionContextHolder } from "./extensionContext.js";

type CacheOwner = Pick<ExtensionContextHolder, "engine" | "config" | "log">;

/** Where the cache is, as each command sees it: the running engine, or the folder on disk. */
interface CacheAccess {
  stats(): Promise<CacheStats>;
  clear(): Promise<void>;
}

export function runningEngineCache(ctx: CacheOwner): CacheAccess | undefined {
  const { cacheStats, clearCache } = ctx.engine;
  if (!cacheStats || !clearCache) return undefined;
  return { stats: () => cacheStats.call(ctx.engine), clear: () => clearCache.call(ctx.engine) };
}

/** The disk folder, with nothing in memory: no engine runs. Never creates the folder. */
export function diskFolderCache(ctx: CacheOwner): CacheAccess {
  const settings = ctx.config.diskCache;
  const cache = settings && new PrefixDiskCache(settings.directory, settings.maxBytes, (message) => ctx.log.warn(message));
  const exists = async () => (cache ? (await stat(path.join(path.resolve(settings.directory), prefixCacheFolderName)).catch(() => undefined))?.isDirectory() === true : false);
  const emptyStats = (disk: CacheStats["disk"]): CacheStats => ({ disk, bytesPerToken: null, mlaLatentBytesPerToken: null, reusedTokens: 0, evaluatedTokens: 0 });
  return {
    async stats() {
      if (!cache) return emptyStats(null);
      const disk = (await exists()) ? await cache.stats() : { ...(await emptyDiskStats(cache)) };
      return { ...emptyStats(disk), bytesPerToken: disk.tokensOnDisk > 0 ? Math.round(disk.bytesOnDisk / disk.tokensOnDisk) : null };
    },
    async clear() {
      if (cache && (await exists())) await cache.clear();
    },
  };
}

/** The figures of a folder that is not there yet, without creating it. */
async function emptyDiskStats(cache: PrefixDiskCache): Promise<NonNullable<CacheStats["disk"]>> {
  return { enabled: true, disabledReason: null, directory: cache.directory, maxBytes: cache.maxBytes, entries: 0, bytesOnDisk: 0, tokensOnDisk: 0, hits: 0, misses: 0, writes: 0, corrupt: 0, evictions: 0 };
}

export async function showCacheStats(ctx: CacheOwner, cache: CacheAccess | undefined, engineRuns: boolean): Promise<void> {
  if (!cache) return void vscode.window.showInformationMessage("DeepSeek Local: this backend keeps no cache of its own.");
  const stats = await cache.stats();
  const report = engineRuns ? describeCacheStats(stats) : `The engine is not running: nothing is cached in memory.\n${describeCacheStats(stats).split("\n").slice(1).join("\n")}`;
  ctx.log.info(report.replace(/\n/g, " · "));
  void vscode.window.showInformationMessage(report, { modal: true });
}

/**
 * Asks first, saying how much goes from where (issue 19): the folder is the user's choice. What a
 * running engine holds in memory only is emptied without asking: nothing of the user's is in it.
 */
export async function clearCache(cache: CacheAccess | undefined, engineRuns: boolean): Promise<void> {
  const disk = cache ? ((await cache.stats()).disk ?? null) : null;
  const prompt = describeClearCache(disk);
  if (prompt.kind === "nothing" || !disk || !cache) {
    if (!cache || !engineRuns) return void vscode.window.showInformationMessage(prompt.message);
    await cache.clear();
    return void vscode.window.showInformationMessage(describeMemoryOnlyClear(disk));
  }
  const answer = await vscode.window.showWarningMessage(prompt.message, { modal: true, detail: prompt.detail }, prompt.confirm);
  if (answer !== prompt.confirm) return;
  try {
    await cache.clear();
    void vscode.window.showInformationMessage(describeClearedCache(disk, engineRuns));
  } catch (error) {
    void vscode.window.showErrorMessage(`DeepSeek Local: could not clear the prefix cache in ${disk.directory}: ${(error as Error).message}`);
  }
}
