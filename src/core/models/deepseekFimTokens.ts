// DeepSeek's fill-in-the-middle control tokens as text, under the protocol's token names. A file or
// server that does not list their ids (no `tokenizer.ggml.fim_*_token_id`, llama-server, vLLM) is
// asked for them by text.
import type { SpecialTokenName } from "../../protocol/engine.js";

export const deepseekFimTokenText = {
  fimPrefix: "<｜fim▁begin｜>",
  fimSuffix: "<｜fim▁hole｜>",
  fimMiddle: "<｜fim▁end｜>",
} as const satisfies Partial<Record<SpecialTokenName, string>>;
