// Ghost-text completion on the local engine: the FIM prompt on the completion sequence, whose KV
// is reused from keystroke to keystroke. The extra-context header is the stable part: long enough,
// it is kept in the disk cache and restored after a restart instead of evaluated again.
import { buildFimPrompt } from "../../core/completion/fimPrompt.js";
import type { GenerateResult } from "../../protocol/engine.js";
import type { Engine, GenerationOptions, InfillRequest, InfillWarmUp } from "../../core/engine/engine.js";

export function runLocalInfill(engine: Engine, request: InfillRequest, options: GenerationOptions): Promise<GenerateResult> {
  const prompt = buildFimPrompt(request.prefix, request.suffix, request.extraContext);
  return engine.generate(
    {
      sequence: "completion",
      prompt: prompt.segments,
      stablePrefixSegments: prompt.stableSegments,
      maxTokens: request.maxTokens,
      temperature: request.temperature ?? 0,
      topK: request.topK,
      topP: request.topP,
      seed: request.seed,
      stopStrings: request.stopStrings ?? [],
      maxLines: request.maxLines,
      timeoutMs: request.timeoutMs,
    },
    options,
  );
}

/** Evaluates the FIM prompt of a coming request into the completion sequence (and the disk cache). */
export async function warmLocalInfill(engine: Engine, request: InfillWarmUp, signal?: AbortSignal): Promise<void> {
  const prompt = buildFimPrompt(request.prefix, request.suffix, request.extraContext);
  await engine.prefill({ sequence: "completion", prompt: prompt.segments, stablePrefixSegments: prompt.stableSegments }, signal);
}
