// The DeepSeek fill-in-the-middle prompt: <｜fim▁begin｜>{context}{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>.
// The FIM tokens are named here and resolved from the loaded model's vocabulary by the engine.
import type { ExtraContextChunk } from "../../backends/engine.js";
import type { PromptSegment } from "../../protocol/engine.js";

/** Extra context goes first so the long, stable part of the prompt stays identical between keystrokes. */
export function renderExtraContext(chunks: readonly ExtraContextChunk[]): string {
  return chunks.map((chunk) => `// ${chunk.filename}\n${chunk.text.endsWith("\n") ? chunk.text : `${chunk.text}\n`}`).join("\n");
}

export function buildFimPrompt(prefix: string, suffix: string, extraContext: readonly ExtraContextChunk[] = []): PromptSegment[] {
  const header = renderExtraContext(extraContext);
  return [
    { token: "bos" },
    { token: "fimPrefix" },
    ...(header ? [{ text: `${header}\n` }] : []),
    { text: prefix },
    { token: "fimSuffix" },
    { text: suffix },
    { token: "fimMiddle" },
  ];
}
