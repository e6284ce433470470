// Ollama and LM Studio as server kinds (issue 20, goal 1): detection, context sizes, the native
// generate API's body and its NDJSON stream.
import { describe, expect, it } from "vitest";
import { AnswerAccumulator } from "../../../src/core/remote/chatStream.js";
import { lmStudioContextSize, ollamaContextSize, ollamaDefaultContextSize } from "../../../src/core/remote/modelContext.js";
import { NdjsonParser } from "../../../src/core/remote/ndjson.js";
import { ollamaGenerateBody } from "../../../src/core/remote/requestBodies.js";
import { detectFlavor } from "../../../src/core/remote/serverFlavor.js";

describe("detecting Ollama and LM Studio", () => {
  it("takes a server answering GET /api/version with a version for Ollama", () => {
    expect(detectFlavor({ baseUrl: "http://h:11434", ollamaVersion: { version: "0.5.7" }, models: { data: [{ id: "deepseek-coder-v2:16b", owned_by: "library" }] } })).toBe("ollama");
    // LM Studio answers unknown routes with 200 and an error object: that is not Ollama.
    expect(detectFlavor({ baseUrl: "http://h:1234", ollamaVersion: { error: "Unexpected endpoint or method. (GET /api/version)" } })).toBe("openai");
  });
  it("takes a server whose /api/v0/models lists typed models with a load state for LM Studio", () => {
    const lmStudioModels = { object: "list", data: [{ id: "deepseek-coder-v2-lite-instruct", object: "model", type: "llm", state: "loaded", max_context_length: 163840 }] };
    expect(detectFlavor({ baseUrl: "http://h:1234", models: { data: [{ id: "deepseek-coder-v2-lite-instruct", owned_by: "organization_owner" }] }, lmStudioModels })).toBe("lmstudio");
    expect(detectFlavor({ baseUrl: "http://h:1234", lmStudioModels: { data: [{ id: "x" }] } })).toBe("openai");
    // Its REST API switched off or behind a proxy: its OpenAI model list still says who serves it.
    expect(detectFlavor({ baseUrl: "http://h:1234", models: { data: [{ id: "m", owned_by: "organization_owner" }] } })).toBe("lmstudio");
  });
  it("prefers llama-server's /props over any other sign", () => {
    expect(detectFlavor({ baseUrl: "http://h", props: { default_generation_settings: {} }, ollamaVersion: { version: "1" } })).toBe("llama-server");
  });
});

describe("context sizes Ollama and LM Studio report", () => {
  it("Ollama: num_ctx from the Modelfile parameters first", () => {
    expect(ollamaContextSize({ parameters: 'stop "<｜end▁of▁sentence｜>"\nnum_ctx 16384\n', model_info: { "deepseek2.context_length": 163840 } })).toBe(16384);
  });
  it("Ollama: without num_ctx, its default capped by the model's trained length", () => {
    expect(ollamaContextSize({ model_info: { "general.architecture": "deepseek2", "deepseek2.context_length": 163840 } })).toBe(ollamaDefaultContextSize);
    expect(ollamaContextSize({ model_info: { "llama.context_length": 2048 } })).toBe(2048);
    expect(ollamaContextSize(undefined)).toBeUndefined();
  });
  it("LM Studio: the loaded context, else the most the model can load with", () => {
    const models = {
      data: [
        { id: "a", type: "llm", state: "loaded", loaded_context_length: 8192, max_context_length: 131072 },
        { id: "b", type: "llm", state: "not-loaded", max_context_length: 32768 },
      ],
    };
    expect(lmStudioContextSize(models, "a")).toBe(8192);
    expect(lmStudioContextSize(models, "b")).toBe(32768);
    expect(lmStudioContextSize(models, "c")).toBeUndefined();
    expect(lmStudioContextSize("nonsense", "a")).toBeUndefined();
  });
});

describe("Ollama's /api/generate", () => {
  const request = { prefix: "def f(", suffix: "):\n", extraContext: [{ filename: "a.py", text: "x = 1" }], maxTokens: 32, stopStrings: ["\n\n"] };
  it("sends prompt + suffix through the template, sampling in options", () => {
    const body = ollamaGenerateBody(request, { flavor: "ollama", model: "deepseek-coder-v2:16b", extraBody: { options: { top_k: 5 }, keep_alive: "10m" } }, false);
    expect(body).toEqual({
      keep_alive: "10m",
      model: "deepseek-coder-v2:16b",
      prompt: "// a.py\nx = 1\n\ndef f(",
      suffix: "):\n",
      stream: true,
      options: { top_k: 5, num_predict: 32, temperature: 0, stop: ["\n\n"] },
    });
  });
  it("writes the FIM tokens out in a raw prompt for a template that cannot insert", () => {
    const body = ollamaGenerateBody({ ...request, extraContext: [] }, { flavor: "ollama", model: "m" }, true);
    expect(body).toMatchObject({ raw: true, prompt: "<｜fim▁begin｜>def f(<｜fim▁hole｜>):\n<｜fim▁end｜>" });
    expect(body).not.toHaveProperty("suffix");
  });
  it("folds the NDJSON lines into the answer, its finish reason and its timings", () => {
    const parser = new NdjsonParser();
    const lines = [
      ...parser.push('{"model":"m","response":"a, ","done":false}\n{"model":"m","resp'),
      ...parser.push('onse":"b","done":false}\n'),
      ...parser.push('{"model":"m","response":"","done":true,"done_reason":"length","prompt_eval_count":12,"prompt_eval_duration":3000000,"eval_count":2,"eval_duration":5000000}'),
    ];
    const end = parser.end();
    expect(end.truncated).toBe(false);
    const accumulator = new AnswerAccumulator("ollama");
    for (const line of [...lines, ...end.lines]) accumulator.add(JSON.parse(line));
    expect(accumulator.result()).toMatchObject({
      text: "a, b",
      finishReason: "length",
      usage: { prompt_tokens: 12, completion_tokens: 2 },
      timings: { prompt_n: 12, prompt_ms: 3, predicted_n: 2, predicted_ms: 5 },
    });
  });
  it("says a stream cut inside a line was truncated", () => {
    const parser = new NdjsonParser();
    expect(parser.push('{"response":"a","done":false}\n{"respo')).toHaveLength(1);
    expect(parser.end()).toEqual({ lines: [], truncated: true });
  });
});
