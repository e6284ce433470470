import { describe, expect, it } from "vitest";
import { fimTokenPrompt, stripControlTokens, suffixModeParts } from "../../../src/core/remote/fimText.js";
import { chatBody, completionsFimBody, llamaInfillBody, toOpenAiMessage } from "../../../src/core/remote/requestBodies.js";
import type { ChatRequest } from "../../../src/core/engine/engine.js";

const extra = [{ filename: "util.ts", text: "export const x = 1;" }];

describe("FIM text", () => {
  it("removes DeepSeek control tokens from user text only", () => {
    expect(stripControlTokens("a<｜fim▁hole｜>b<｜end▁of▁sentence｜>c <|im_start|>")).toBe("abc <|im_start|>");
    const prompt = fimTokenPrompt("let a = <｜fim▁end｜>", "\n}", extra);
    expect(prompt.startsWith("<｜fim▁begin｜>// util.ts\nexport const x = 1;\n\nlet a = <｜fim▁hole｜>\n}<｜fim▁end｜>")).toBe(true);
    expect(prompt.match(/<｜fim▁end｜>/g)).toHaveLength(1);
  });
  it("puts the extra context before the prefix in suffix mode", () => {
    expect(suffixModeParts("p", "s", extra)).toEqual({ prompt: "// util.ts\nexport const x = 1;\n\np", suffix: "s" });
    expect(suffixModeParts("p", "s")).toEqual({ prompt: "p", suffix: "s" });
  });
});

describe("request bodies", () => {
  const base: ChatRequest = { messages: [{ role: "user", content: "hi" }], maxTokens: 16 };

  it("maps tool calls and tool results to the OpenAI message format", () => {
    expect(toOpenAiMessage({ role: "assistant", content: "", toolCalls: [{ id: "c1", name: "f", arguments: "{}" }] })).toEqual({
      role: "assistant",
      content: "",
      tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
    });
    expect(toOpenAiMessage({ role: "tool", content: "42", toolCallId: "c1" })).toEqual({ role: "tool", content: "42", tool_call_id: "c1" });
  });

  it("streams with usage, sends tools and merges extra body settings under ours", () => {
    const { body, beta } = chatBody(
      { ...base, tools: [{ name: "f", description: "d", parameters: { type: "object" } }], seed: 3 },
      { flavor: "vllm", model: "m", extraBody: { top_k: 20, stream: false } },
    );
    expect(beta).toBe(false);
    expect(body).toMatchObject({ model: "m", stream: true, stream_options: { include_usage: true }, max_tokens: 16, temperature: 0, seed: 3, top_k: 20 });
    expect(body.tools).toEqual([{ type: "function", function: { name: "f", description: "d", parameters: { type: "object" } } }]);
  });

  it("asks for json_schema where supported, json_object plus an instruction elsewhere", () => {
    const schema = { type: "object" };
    expect(chatBody({ ...base, jsonSchema: schema }, { flavor: "llama-server" }).body.response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "answer", strict: true, schema },
    });
    const deepseek = chatBody({ ...base, jsonSchema: schema }, { flavor: "deepseek" }).body;
    expect(deepseek.response_format).toEqual({ type: "json_object" });
    expect((deepseek.messages as { role: string; content: string }[])[0]).toMatchObject({ role: "system" });
    expect((deepseek.messages as { content: string }[])[0].content).toContain('{"type":"object"}');
  });

  it("continues an assistant prefix the way each flavor expects", () => {
    const prefix = { ...base, assistantPrefix: "```ts\n" };
    const ds = chatBody(prefix, { flavor: "deepseek" });
    expect(ds.beta).toBe(true);
    expect((ds.body.messages as unknown[]).at(-1)).toEqual({ role: "assistant", content: "```ts\n", prefix: true });
    const vllm = chatBody(prefix, { flavor: "vllm" }).body;
    expect(vllm).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
    const llama = chatBody(prefix, { flavor: "llama-server" }).body;
    expect((llama.messages as unknown[]).at(-1)).toEqual({ role: "assistant", content: "```ts\n" });
    expect(llama.continue_final_message).toBeUndefined();
  });

  it("builds FIM bodies for /v1/completions and /infill", () => {
    const request = { prefix: "def f(", suffix: "):\n", extraContext: extra, maxTokens: 32, stopStrings: ["\n\n"] };
    expect(completionsFimBody(request, "suffix", { flavor: "deepseek", model: "deepseek-chat" })).toMatchObject({
      model: "deepseek-chat",
      prompt: "// util.ts\nexport const x = 1;\n\ndef f(",
      suffix: "):\n",
      max_tokens: 32,
      stop: ["\n\n"],
      stream: true,
    });
    const tokens = completionsFimBody(request, "fimTokens", { flavor: "vllm" });
    expect(tokens.suffix).toBeUndefined();
    expect(tokens.prompt).toMatch(/^<｜fim▁begin｜>.*<｜fim▁end｜>$/s);
    expect(llamaInfillBody(request)).toMatchObject({
      input_prefix: "def f(",
      input_suffix: "):\n",
      input_extra: [{ filename: "util.ts", text: "export const x = 1;" }],
      n_predict: 32,
      cache_prompt: true,
      stream: true,
    });
  });
});
