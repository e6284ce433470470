// The DeepSeek fill-in-the-middle prompt: <｜fim▁begin｜>{context}{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>.
// The FIM tokens are named here and resolved from the loaded model's vocabulary by the engine.
import type { ExtraContextChunk } from "../engine/completionEngine.js";
import type { PromptSegment } from "../../protocol/engine.js";

/**
 * Extra context goes first so the long, stable part of the prompt stays identical between
 * keystrokes. Chunks render in the order given: callers keep that order stable (oldest first), so
 * adding a chunk appends and leaves the KV of the earlier ones reusable.
 */
export function renderExtraContext(chunks: readonly ExtraContextChunk[]): string {
  return chunks.map((chunk) => `// ${chunk.filename}\n${chunk.text.endsWith("\n") ? chunk.text : `${chunk.text}\n`}`).join("\n");
}

export interface FimPrompt {
  segments: PromptSegment[];
  /** Segments that stay the same from keystroke to keystroke (BOS, FIM begin, extra context). */
  stableSegments: number;
}

/** The segments up to where the typed text starts: what a warm-up evaluates ahead of time. */
export function fimPromptHeader(extraContext: readonly ExtraContextChunk[] = []): PromptSegment[] {
  const header = renderExtraContext(extraContext);
  return [{ token: "bos" }, { token: "fimPrefix" }, ...(header ? [{ text: `${header}\n` }] : [])];
}

export function buildFimPrompt(prefix: string, suffix: string, extraContext: readonly ExtraContextChunk[] = []): FimPrompt {
  const header = fimPromptHeader(extraContext);
  return {
    segments: [...header, { text: prefix }, { token: "fimSuffix" }, { text: suffix }, { token: "fimMiddle" }],
    stableSegments: header.length,
  };
}
