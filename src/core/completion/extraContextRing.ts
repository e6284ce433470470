// Extra FIM context from other files, like llama.vscode's ring buffer: chunks of code the user
// recently edited, saved, opened or copied. New chunks wait in a queue; `commit()` (called when the
// user is idle) moves them into the ring, so the prompt header changes rarely and only between
// bursts of typing — then it is evaluated ahead of time (warm-up) while the user is still idle.
// A chunk that holds a recognisable secret (a key block, a token) never enters: the prompt may go to
// a remote server and into the disk cache (issue 19, item 6). Which files may offer chunks at all is
// the feed's decision (secretPaths.ts, the user's switches).
import type { ExtraContextChunk } from "../engine/completionEngine.js";
import { findSecret } from "../privacy/secretText.js";
import { estimateTokens } from "./fimWindow.js";

export interface ExtraContextSettings {
  /** Chunks kept in the ring. */
  maxChunks: number;
  /** Token budget of the header built from the ring. */
  maxTokens: number;
}

/** Chunks this similar (share of equal non-blank lines) are the same code: the newer one wins. */
const duplicateSimilarity = 0.5;
const maxQueued = 16;

/** Lines of a chunk around a line of interest (the cursor, an edit, a paste). */
export function chunkAround(text: string, line: number, chunkLines: number): string {
  const lines = text.split("\n");
  const start = Math.max(0, Math.min(line - Math.floor(chunkLines / 2), lines.length - chunkLines));
  return lines.slice(start, start + chunkLines).join("\n");
}

function lineSet(text: string): Set<string> {
  return new Set(text.split("\n").map((line) => line.trim()).filter((line) => line.length > 0));
}

/** Jaccard similarity of the chunks' sets of non-blank, trimmed lines. */
export function chunkSimilarity(a: string, b: string): number {
  const left = lineSet(a);
  const right = lineSet(b);
  if (left.size === 0 || right.size === 0) return 0;
  let shared = 0;
  for (const line of left) if (right.has(line)) shared++;
  return shared / (left.size + right.size - shared);
}

/** The last `count` items; none for 0 (`slice(-0)` would keep them all). */
function newest<T>(items: readonly T[], count: number): T[] {
  return count > 0 ? items.slice(-count) : [];
}

export class ExtraContextRing {
  private ring: ExtraContextChunk[] = [];
  private queued: ExtraContextChunk[] = [];

  constructor(private readonly settings: () => ExtraContextSettings) {}

  get pending(): number {
    return this.queued.length;
  }

  /** Queues a chunk; one too small to help, one already known, or one holding a secret is ignored. */
  offer(chunk: ExtraContextChunk): void {
    if (lineSet(chunk.text).size < 3 || findSecret(chunk.text) || findSecret(chunk.filename)) return;
    if ([...this.ring, ...this.queued].some((known) => chunkSimilarity(known.text, chunk.text) > 0.9 && known.filename === chunk.filename)) return;
    this.queued = [...this.queued.filter((queued) => chunkSimilarity(queued.text, chunk.text) <= duplicateSimilarity), chunk].slice(-maxQueued);
  }

  /**
   * Moves queued chunks into the ring: a chunk similar to a ring chunk replaces it, the oldest
   * chunks leave when the ring is full. Returns whether the ring changed.
   */
  commit(): boolean {
    if (this.queued.length === 0) return false;
    let ring = this.ring;
    for (const chunk of this.queued) ring = [...ring.filter((old) => chunkSimilarity(old.text, chunk.text) <= duplicateSimilarity), chunk];
    this.queued = [];
    this.ring = newest(ring, this.settings().maxChunks);
    return true;
  }

  /**
   * The header chunks for a prompt in `filename`: oldest first (adding a chunk appends, keeping the
   * KV of the earlier ones), the file's own chunks left out (its text is in the prompt already),
   * and the newest chunks kept when the budget cannot hold them all.
   */
  chunksFor(filename: string): ExtraContextChunk[] {
    const { maxChunks, maxTokens } = this.settings();
    let budget = maxTokens;
    const picked: ExtraContextChunk[] = [];
    // Extra context turned off (0 chunks) takes effect at once, not at the next commit.
    for (const chunk of newest(this.ring, maxChunks).reverse()) {
      if (chunk.filename === filename) continue;
      const cost = estimateTokens(chunk.text) + estimateTokens(chunk.filename) + 4;
      if (cost > budget) break;
      budget -= cost;
      picked.unshift(chunk);
    }
    return picked;
  }

  clear(): void {
    this.ring = [];
    this.queued = [];
  }
}
