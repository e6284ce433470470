// Chat on the real engine process (synthetic DeepSeek model, random weights): structure only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/core/engine/engine.js";
import { createLocalEngine, type LocalEngine } from "../../src/backends/local/localEngine.js";
import { detectChatTemplate, renderChatPrompt } from "../../src/core/chat/chatTemplate.js";
import { validateJson } from "../../src/core/json/validateJson.js";
import { workspaceToolDefinitions } from "../../src/core/chat/workspaceTools.js";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";

let engine: LocalEngine;

beforeAll(async () => {
  engine = createLocalEngine({ modelPath: await ensureSyntheticModel(), contextSize: 4096, threads: 1 });
});

afterAll(async () => {
  await engine?.dispose();
});

const system: ChatMessage = { role: "system", content: "You are a coding assistant. Answer briefly, with code where it helps." };
const question: ChatMessage = { role: "user", content: "Write a function that returns the sum of a list of numbers in Python." };

describe("chat on the engine", () => {
  it("second turn evaluates only the tokens after the first turn's prompt", async () => {
    const first = await engine.chat({ messages: [system, question], maxTokens: 12 });
    const followUp: ChatMessage[] = [system, question, { role: "assistant", content: first.text }, { role: "user", content: "Now make it handle an empty list." }];
    const second = await engine.chat({ messages: followUp, maxTokens: 4 });
    expect(first.metrics.reusedTokens).toBeLessThan(first.metrics.promptTokens);
    // Turn 1's whole prompt is still in the KV: it is reused, not evaluated again.
    expect(second.metrics.reusedTokens).toBeGreaterThanOrEqual(first.metrics.promptTokens - 1);
    expect(second.metrics.evaluatedTokens).toBeLessThanOrEqual(second.metrics.promptTokens - first.metrics.promptTokens + 1);
    expect(second.metrics.reusedTokens + second.metrics.evaluatedTokens).toBe(second.metrics.promptTokens);
  });

  it("stops within a token of Stop", async () => {
    const controller = new AbortController();
    let chunks = 0;
    const result = await engine.chat(
      { messages: [system, { role: "user", content: "Tell me a very long story about compilers." }], maxTokens: 1500, temperature: 0.9, seed: 7 },
      { signal: controller.signal, onText: () => ++chunks === 3 && controller.abort() },
    );
    expect(result.stopReason).toBe("aborted");
    expect(result.metrics.generatedTokens).toBeLessThanOrEqual(3 + 2);
  });

  it("continues from the given assistant prefix", async () => {
    const prefix = "def total(numbers):\n    return";
    const model = await engine.modelInfo();
    const rendered = renderChatPrompt(detectChatTemplate(model.chatTemplate), [system, question], prefix);
    const continued = await engine.chat({ messages: [system, question], assistantPrefix: prefix, maxTokens: 10 });
    const plain = await engine.chat({ messages: [system, question], maxTokens: 10 });
    // Same prompt given by hand: identical greedy text, so the answer starts right after the prefix.
    const direct = await engine.generate({ sequence: "refactor", prompt: rendered.prompt, maxTokens: 10, stopStrings: rendered.stopStrings });
    expect(continued.text).toBe(direct.text);
    expect(continued.metrics.promptTokens).toBe(direct.metrics.promptTokens);
    const prefixTokens = (await engine.tokenize(` ${prefix}`)).length;
    expect(Math.abs(continued.metrics.promptTokens - plain.metrics.promptTokens - prefixTokens)).toBeLessThanOrEqual(1);
  });

  it("with tools, either asks for a valid tool call or answers", async () => {
    for (const seed of [1, 2, 3]) {
      const result = await engine.chat({ messages: [system, { role: "user", content: "What is in src/main.ts?" }], tools: workspaceToolDefinitions, maxTokens: 8, temperature: 0.8, seed });
      if (result.toolCalls) {
        expect(result.toolCalls).toHaveLength(1);
        const call = result.toolCalls[0]!;
        const definition = workspaceToolDefinitions.find((tool) => tool.name === call.name);
        expect(definition, call.name).toBeDefined();
        expect(validateJson(definition!.parameters, call.arguments).ok).toBe(true);
        expect(result.text).toBe("");
      } else {
        expect(result.metrics.generatedTokens).toBeGreaterThan(0);
      }
    }
  });
});
