// Binds the disk cache to this engine: keys carry the model's sha256, the engine build and the
// KV layout, and a restored state is checked token by token before it is trusted.
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { hashTokens, type PrefixCacheKeyFields } from "../core/cache/prefixCacheEntry.js";
import type { PrefixDiskCache } from "../core/cache/prefixDiskCache.js";

export interface PrefixPersistence {
  /** Prefixes shorter than this are evaluated, not restored. */
  readonly minTokens: number;
  restore(prefix: readonly Token[], sequence: LlamaContextSequence): Promise<boolean>;
  save(prefix: readonly Token[], sequence: LlamaContextSequence): Promise<void>;
}

export class EnginePrefixCache implements PrefixPersistence {
  constructor(
    readonly disk: PrefixDiskCache,
    readonly minTokens: number,
    private readonly identity: Promise<Omit<PrefixCacheKeyFields, "tokensSha256" | "tokenCount"> | null>,
  ) {}

  private async fields(prefix: readonly Token[]): Promise<PrefixCacheKeyFields | null> {
    const identity = await this.identity;
    return identity && { ...identity, tokensSha256: hashTokens(prefix as unknown as readonly number[]), tokenCount: prefix.length };
  }

  /** Never throws: a cache that fails is turned off (said once) and the prefix is evaluated. */
  async restore(prefix: readonly Token[], sequence: LlamaContextSequence): Promise<boolean> {
    let touched = false;
    try {
      const fields = await this.fields(prefix);
      if (!fields) return false;
      const restored = await this.disk.restore(fields, async (payloadPath) => {
        touched = true;
        await sequence.clearHistory();
        await sequence.loadStateFromFile(payloadPath, { acceptRisk: true });
      });
      const tokens = sequence.contextTokens;
      if (restored && tokens.length === prefix.length && tokens.every((token, i) => token === prefix[i])) return true;
    } catch (error) {
      this.disk.disable(`restoring a prefix failed (${(error as Error).message})`);
    }
    // A load that failed or did not hold the prefix leaves nothing half-restored behind.
    if (touched) await sequence.clearHistory();
    return false;
  }

  /** Never throws, as restore. */
  async save(prefix: readonly Token[], sequence: LlamaContextSequence): Promise<void> {
    try {
      const fields = await this.fields(prefix);
      if (!fields) return;
      await this.disk.save(fields, async (tempPath) => {
        await sequence.saveStateToFile(tempPath);
      });
    } catch (error) {
      this.disk.disable(`saving a prefix failed (${(error as Error).message})`);
    }
  }
}
