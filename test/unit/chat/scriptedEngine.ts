// An Engine whose chat answers are scripted, for the turn loop and the session (the real engine is
// tested in test/engine/chat.test.ts).
import type { ChatRequest, ChatResult, Engine, GenerationOptions } from "../../../src/core/engine/engine.js";
import { EngineError } from "../../../src/protocol/engine.js";

export const sampleMetrics = { promptTokens: 10, reusedTokens: 4, evaluatedTokens: 6, restoredTokens: 0, forcedTokens: 0, generatedTokens: 3, promptMs: 1, firstTokenMs: 2, generationMs: 3, totalMs: 5 };

export interface ScriptedAnswer extends Partial<ChatResult> {
  /** Streamed one by one; `text` defaults to their concatenation. */
  chunks?: string[];
  /** Waits for the signal to abort after the first chunk (a long answer the user stops). */
  untilAborted?: boolean;
}

export function scriptedEngine(answers: ScriptedAnswer[], contextSize = 4096): { engine: Engine; requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  const engine = {
    kind: "local",
    async modelInfo() {
      return { name: "Scripted", contextSize, synthetic: false };
    },
    async tokenize(text: string) {
      return text.split(/\s+/).filter(Boolean).map(() => 1);
    },
    async chat(request: ChatRequest, options: GenerationOptions = {}): Promise<ChatResult> {
      requests.push(structuredClone(request));
      const { chunks = [], untilAborted, ...answer } = answers.shift() ?? {};
      let text = "";
      for (const chunk of chunks) {
        options.onText?.(chunk);
        text += chunk;
        await Promise.resolve();
      }
      if (untilAborted) {
        await new Promise<void>((resolve) => options.signal?.addEventListener("abort", () => resolve(), { once: true }));
        return { text, stopReason: "aborted", metrics: sampleMetrics };
      }
      if (options.signal?.aborted && !answer.stopReason) throw new EngineError("cancelled", "The request was cancelled.");
      return { text, stopReason: "eos", metrics: sampleMetrics, ...answer };
    },
  } as unknown as Engine;
  return { engine, requests };
}
