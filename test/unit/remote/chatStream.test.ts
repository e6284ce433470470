import { describe, expect, it } from "vitest";
import { AnswerAccumulator, MalformedChunkError } from "../../../src/core/remote/chatStream.js";

const delta = (d: Record<string, unknown>, finish: string | null = null) => ({ choices: [{ index: 0, delta: d, finish_reason: finish }] });

describe("AnswerAccumulator (OpenAI chunks)", () => {
  it("joins content deltas and reads the finish reason, usage and llama-server timings", () => {
    const acc = new AnswerAccumulator("openai");
    expect(acc.add(delta({ role: "assistant", content: null }))).toBe("");
    expect(acc.add(delta({ content: "Hel" }))).toBe("Hel");
    expect(acc.add(delta({ content: "lo" }, "stop"))).toBe("lo");
    acc.add({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 2 }, timings: { cache_n: 3, prompt_n: 4, predicted_n: 2 } });
    const result = acc.result();
    expect(result).toMatchObject({ text: "Hello", finishReason: "stop", toolCalls: [] });
    expect(result.usage).toMatchObject({ prompt_tokens: 7 });
    expect(result.timings).toMatchObject({ cache_n: 3, prompt_n: 4 });
  });

  it("assembles tool calls streamed in pieces, by index", () => {
    const acc = new AnswerAccumulator("openai");
    acc.add(delta({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "get_weather", arguments: "{" } }] }));
    acc.add(delta({ tool_calls: [{ index: 1, id: "call_b", function: { name: "read_file", arguments: '{"path":' } }] }));
    acc.add(delta({ tool_calls: [{ index: 0, function: { arguments: '"city":"Oslo"}' } }] }));
    acc.add(delta({ tool_calls: [{ index: 1, function: { arguments: '"a.ts"}' } }] }, "tool_calls"));
    expect(acc.result()).toMatchObject({
      finishReason: "toolCalls",
      toolCalls: [
        { id: "call_a", name: "get_weather", arguments: '{"city":"Oslo"}' },
        { id: "call_b", name: "read_file", arguments: '{"path":"a.ts"}' },
      ],
    });
  });

  it("reads text completion chunks and maps length to maxTokens-style finish", () => {
    const acc = new AnswerAccumulator("openai");
    acc.add({ choices: [{ index: 0, text: "return a + b;", finish_reason: null }] });
    acc.add({ choices: [{ index: 0, text: "", finish_reason: "length" }] });
    expect(acc.result()).toMatchObject({ text: "return a + b;", finishReason: "length" });
  });

  it("leaves the finish reason undefined until the server gives one", () => {
    const acc = new AnswerAccumulator("openai");
    acc.add(delta({ content: "partial" }));
    expect(acc.result().finishReason).toBeUndefined();
  });

  it("rejects a chunk of the wrong shape", () => {
    const acc = new AnswerAccumulator("openai");
    expect(() => acc.add({ choices: "nope" })).toThrow(MalformedChunkError);
    expect(() => acc.add(null)).toThrow(MalformedChunkError);
  });
});

describe("AnswerAccumulator (llama-server native chunks)", () => {
  it("joins content and maps stop types", () => {
    const acc = new AnswerAccumulator("llama");
    acc.add({ content: "a", stop: false });
    acc.add({ content: "b", stop: false });
    acc.add({ content: "", stop: true, stop_type: "word", tokens_predicted: 2, tokens_evaluated: 9, timings: { cache_n: 5, prompt_n: 4 } });
    expect(acc.result()).toMatchObject({ text: "ab", finishReason: "stop", stoppedByString: true, timings: { cache_n: 5 } });
    const limited = new AnswerAccumulator("llama");
    limited.add({ content: "x", stop: true, stop_type: "limit" });
    expect(limited.result()).toMatchObject({ finishReason: "length", stoppedByString: false });
  });

  it("rejects an OpenAI chunk where a native one is expected", () => {
    expect(() => new AnswerAccumulator("llama").add(delta({ content: "x" }))).toThrow(MalformedChunkError);
  });
});
