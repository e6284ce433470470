// Ghost-text completion on the local engine: the FIM prompt on the completion sequence, whose KV
// is reused from keystroke to keystroke.
import { buildFimPrompt } from "../../core/completion/fimPrompt.js";
import type { GenerateResult } from "../../protocol/engine.js";
import type { Engine, GenerationOptions, InfillRequest } from "../engine.js";

export function runLocalInfill(engine: Engine, request: InfillRequest, options: GenerationOptions): Promise<GenerateResult> {
  return engine.generate(
    {
      sequence: "completion",
      prompt: buildFimPrompt(request.prefix, request.suffix, request.extraContext),
      maxTokens: request.maxTokens,
      temperature: request.temperature ?? 0,
      stopStrings: request.stopStrings ?? [],
      timeoutMs: request.timeoutMs,
    },
    options,
  );
}
