// The HTTP backend against a real llama-server (built from node-llama-cpp's llama.cpp sources)
// serving the synthetic DeepSeek model on 127.0.0.1. Random weights: assert structure, never text.
import Ajv from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage, ToolDefinition } from "../../src/core/engine/engine.js";
import { HttpEngine } from "../../src/backends/http/httpEngine.js";
import { capabilityReport } from "../../src/core/remote/capabilityReport.js";
import { EngineError } from "../../src/protocol/engine.js";
import { startLlamaServer } from "../fixtures/llama-server.js";
import { DEEPSEEK_TOKENS, ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";
import { openBackend, type OpenBackend } from "./backends.js";

let backend: OpenBackend;
let engine: HttpEngine;

beforeAll(async () => {
  // The first run builds llama-server (~14 min on 2 cores); later runs find it cached.
  backend = await openBackend("http");
  engine = backend.engine as HttpEngine;
}, 40 * 60_000);

afterAll(async () => {
  await backend?.close();
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

const user = (content: string): ChatMessage => ({ role: "user", content });

describe("HTTP backend on llama-server", () => {
  it("detects llama-server and reads the FIM tokens from the served vocabulary", async () => {
    expect(await engine.flavor()).toBe("llama-server");
    const info = await engine.modelInfo();
    expect(info.contextSize).toBe(4096);
    expect(info.chatTemplate).toMatch(/Assistant/);
    const idOf = async (text: string) => (await engine.tokenize(text, { parseSpecial: true }))[0];
    expect(info.specialTokens).toEqual({
      bos: await idOf(DEEPSEEK_TOKENS.bos),
      eos: await idOf(DEEPSEEK_TOKENS.eos),
      fimPrefix: await idOf(DEEPSEEK_TOKENS.fimBegin),
      fimSuffix: await idOf(DEEPSEEK_TOKENS.fimHole),
      fimMiddle: await idOf(DEEPSEEK_TOKENS.fimEnd),
    });
    // User text never turns into control tokens.
    expect(await engine.tokenize(DEEPSEEK_TOKENS.fimBegin)).not.toContain(info.specialTokens.fimPrefix);
  });

  it("Test Remote Connection's report: llama-server does every feature itself", async () => {
    const report = capabilityReport(await engine.serverFacts());
    // This server runs with a tool-capable template (the JSON tool step's case is below).
    expect(report.filter((line) => line.support === "instead").map((line) => line.feature)).toEqual([]);
    expect(report.find((line) => line.feature === "ghost text")?.detail).toMatch(/\/infill/);
    expect(report.find((line) => line.feature === "context size")?.detail).toBe("4,096 tokens, as the server says");
  });

  it("streams a chat answer, and the next turn reuses the conversation's KV", async () => {
    const chunks: string[] = [];
    const first = await engine.chat({ messages: [user("Write a function that adds two numbers.")], maxTokens: 24 }, { onText: (t) => chunks.push(t) });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join("")).toBe(first.text);
    expect(first.stopReason).toBe("maxTokens");
    expect(first.metrics.generatedTokens).toBe(24);
    expect(first.metrics.promptTokens).toBeGreaterThan(5);

    const second = await engine.chat({
      messages: [user("Write a function that adds two numbers."), { role: "assistant", content: first.text }, user("Now in Rust.")],
      maxTokens: 8,
    });
    expect(second.metrics.reusedTokens).toBeGreaterThanOrEqual(first.metrics.promptTokens - 1);
    expect(second.metrics.evaluatedTokens).toBeLessThan(second.metrics.promptTokens);
  });

  it("cancels a stream by aborting the request, and the server stops generating", async () => {
    const maxTokens = 3000;
    const controller = new AbortController();
    let received = 0;
    const pending = engine.chat(
      { messages: [user("Tell me a long story.")], maxTokens },
      {
        signal: controller.signal,
        onText: () => {
          if (++received === 5) controller.abort();
        },
      },
    );
    await expect(pending).rejects.toMatchObject({ code: "cancelled" });
    const slotIdle = async () => {
      const slots = (await fetch(`${backend.server!.url}/slots`).then((r) => r.json())) as { is_processing: boolean }[];
      return slots.every((slot) => !slot.is_processing);
    };
    expect(await waitUntil(slotIdle, 10_000)).toBe(true);
    // The server logs the cancellation and how far the slot got: far short of maxTokens.
    const logs = backend.server!.logs();
    expect(logs).toMatch(/cancel task/);
    const released = [...logs.matchAll(/stop processing: n_tokens = (\d+)/g)].map((m) => Number(m[1]));
    expect(released.at(-1)!).toBeLessThan(maxTokens / 2);
  });

  it("fills in the middle through /infill, reusing the cached prompt on the next keystroke", async () => {
    const prefix = `${Array.from({ length: 30 }, (_, i) => `const v${i} = ${i};`).join("\n")}\nfunction add(a, b) {\n  return `;
    const request = { prefix, suffix: ";\n}\n", extraContext: [{ filename: "math.ts", text: "export const PI = 3.14;" }], maxTokens: 8 };
    const first = await engine.infill(request);
    expect(["maxTokens", "eos"]).toContain(first.stopReason);
    expect(first.metrics.promptTokens).toBeGreaterThan(100);
    const next = await engine.infill({ ...request, prefix: `${prefix}a` });
    expect(next.metrics.reusedTokens).toBeGreaterThan(100);
  });

  it("answers with JSON that matches the schema (response_format json_schema)", async () => {
    const schema = {
      type: "object",
      properties: { name: { type: "string", maxLength: 12 }, kind: { enum: ["function", "class", "variable"] } },
      required: ["name", "kind"],
      additionalProperties: false,
    };
    const result = await engine.chat({ messages: [user("Name one symbol in this file as JSON.")], jsonSchema: schema, maxTokens: 200 });
    expect(result.stopReason).toBe("eos");
    const value: unknown = JSON.parse(result.text);
    expect(new Ajv().validate(schema, value)).toBe(true);
  });

  it("round-trips a tool call: tools → call → tool result → answer", async () => {
    // A random model never starts a tool call by itself: "required" makes llama-server's grammar
    // shape the answer as a call, and a bias on "{" makes the model begin it.
    const braces = [...(await engine.tokenize("{")), ...(await engine.tokenize('{"'))];
    const toolEngine = new HttpEngine({
      baseUrl: backend.server!.url,
      extraBody: { tool_choice: "required", parallel_tool_calls: false, logit_bias: Object.fromEntries(braces.map((id) => [String(id), 30])) },
    });
    const tools: ToolDefinition[] = [
      {
        name: "get_weather",
        description: "Current weather in a city",
        parameters: { type: "object", properties: { city: { type: "string", maxLength: 10 } }, required: ["city"], additionalProperties: false },
      },
    ];
    const messages: ChatMessage[] = [user("What is the weather in Oslo?")];
    const first = await toolEngine.chat({ messages, tools, maxTokens: 200 });
    expect(first.toolCalls).toHaveLength(1);
    const call = first.toolCalls![0];
    expect(call.name).toBe("get_weather");
    expect(call.id).not.toBe("");
    expect(new Ajv().validate(tools[0].parameters, JSON.parse(call.arguments))).toBe(true);

    const second = await toolEngine.chat({
      messages: [...messages, { role: "assistant", content: first.text, toolCalls: [call] }, { role: "tool", toolCallId: call.id, content: '{"celsius": 4}' }],
      tools,
      maxTokens: 40,
    });
    // The server rendered the call and its result into the prompt, and answered after them.
    expect(second.metrics.promptTokens).toBeGreaterThan(first.metrics.promptTokens + 10);
    expect(second.metrics.generatedTokens).toBeGreaterThan(0);
  });

  it("takes the JSON tool step where the served template cannot call tools", async () => {
    // The model's own Coder-V2-Lite template: llama-server reports no tool support for it.
    const plain = await startLlamaServer({ model: await ensureSyntheticModel(), threads: 1, ctxSize: 2048, extraArgs: ["--jinja"] });
    try {
      const emulating = new HttpEngine({ baseUrl: plain.url });
      const tools: ToolDefinition[] = [
        { name: "read_file", description: "Reads a file", parameters: { type: "object", properties: { path: { type: "string", maxLength: 12 } }, required: ["path"], additionalProperties: false } },
      ];
      const result = await emulating.chat({ messages: [user("What is in a.ts?")], tools, maxTokens: 8 });
      // Random weights pick either branch; both must be well-formed.
      if (result.toolCalls) {
        expect(result.toolCalls[0].name).toBe("read_file");
        expect(new Ajv().validate(tools[0].parameters, JSON.parse(result.toolCalls[0].arguments))).toBe(true);
      } else {
        expect(result.metrics.generatedTokens).toBe(8);
      }
    } finally {
      await plain.stop();
    }
  });

  it("generates from prompt segments with token ids, and prefill warms the slot", async () => {
    const header = [{ token: "bos" as const }, { text: "// a long, stable header\n".repeat(20) }];
    const warmed = await engine.prefill({ sequence: "completion", prompt: header });
    expect(warmed.promptTokens).toBeGreaterThan(100);
    const chunks: string[] = [];
    const result = await engine.generate(
      { sequence: "completion", prompt: [...header, { text: "def fibonacci(n):" }], maxTokens: 12 },
      { onText: (t) => chunks.push(t) },
    );
    expect(result.metrics.generatedTokens).toBe(12);
    expect(chunks.join("")).toBe(result.text);
    expect(result.metrics.reusedTokens).toBeGreaterThanOrEqual(warmed.promptTokens - 1);
    // Typed control-token text stays text: more than one token, unlike the FIM token itself.
    const info = await engine.modelInfo();
    const spoof = await engine.generate({ sequence: "completion", prompt: [{ text: DEEPSEEK_TOKENS.fimBegin }], maxTokens: 1 });
    expect(spoof.metrics.promptTokens).toBeGreaterThan(1);
    expect(info.specialTokens.fimPrefix).not.toBeNull();
  });

  it("stops at a stop string and at the generation cap", async () => {
    // Without the cap this would run to 3000 tokens; how many arrive before it depends on the machine.
    const chunks: string[] = [];
    const capped = await engine.generate(
      { sequence: "chat", prompt: [{ token: "bos" }, { text: "x" }], maxTokens: 3000, timeoutMs: 500 },
      { onText: (t) => chunks.push(t) },
    );
    expect(capped.stopReason).toBe("timeout");
    expect(capped.text).toBe(chunks.join(""));
    expect(capped.metrics.generatedTokens).toBeLessThan(3000);
    const sample = await engine.generate({ sequence: "chat", prompt: [{ token: "bos" }, { text: "y" }], maxTokens: 12 });
    const stop = sample.text.slice(4, 7);
    const stopped = await engine.generate({ sequence: "chat", prompt: [{ token: "bos" }, { text: "y" }], maxTokens: 12, stopStrings: [stop] });
    expect(stopped.stopReason).toBe("stopString");
    expect(stopped.text).toBe(sample.text.slice(0, sample.text.indexOf(stop)));
  });

  it("continues an assistant prefix: the prefix is in the prompt, not in the answer", async () => {
    const messages = [user("Write hello world in Python.")];
    const plain = await engine.chat({ messages, maxTokens: 4 });
    const prefixed = await engine.chat({ messages, assistantPrefix: "```python\nprint(", maxTokens: 4 });
    expect(prefixed.metrics.promptTokens).toBeGreaterThan(plain.metrics.promptTokens + 2);
    expect(prefixed.text.startsWith("```python")).toBe(false);
    expect(prefixed.metrics.generatedTokens).toBe(4);
  });

  it("rejects an unusable JSON schema before sending anything", async () => {
    await expect(engine.chat({ messages: [user("x")], jsonSchema: { type: "nonsense" }, maxTokens: 4 })).rejects.toBeInstanceOf(EngineError);
  });
});
