// The Engine contract that features rely on, on both backends over the same synthetic model: the
// local engine process and the HTTP backend on llama-server. A feature that works on one works on
// the other. Random weights: assert structure, never text.
import Ajv from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/core/engine/engine.js";
import { EngineError } from "../../src/protocol/engine.js";
import { backendNames, openBackend, type BackendName, type OpenBackend } from "./backends.js";

const opened = new Map<BackendName, OpenBackend>();

beforeAll(async () => {
  for (const name of backendNames) opened.set(name, await openBackend(name));
}, 40 * 60_000);

afterAll(async () => {
  await Promise.all([...opened.values()].map((backend) => backend.close()));
});

const engineOf = (name: BackendName): Engine => opened.get(name)!.engine;
const code = Array.from({ length: 20 }, (_, i) => `function handler${i}(request) {\n  return request.body[${i}];\n}\n`).join("");

describe("both backends see the same model", () => {
  it("tokenize alike and agree on the special token ids", async () => {
    const [local, http] = backendNames.map(engineOf);
    expect(await http.tokenize(code)).toEqual(await local.tokenize(code));
    expect((await http.modelInfo()).specialTokens).toEqual((await local.modelInfo()).specialTokens);
  });
});

describe.each(backendNames)("Engine contract on the %s backend", (name) => {
  it("streams ghost text for a prefix and suffix", async () => {
    const chunks: string[] = [];
    const result = await engineOf(name).infill(
      { prefix: `${code}function add(a, b) {\n  return `, suffix: ";\n}\n", extraContext: [{ filename: "util.ts", text: "export const one = 1;" }], maxTokens: 12 },
      { onText: (t) => chunks.push(t) },
    );
    expect(["maxTokens", "eos", "stopString"]).toContain(result.stopReason);
    expect(chunks.join("")).toBe(result.text);
    expect(result.metrics.promptTokens).toBeGreaterThan(100);
  });

  it("streams a chat answer", async () => {
    const chunks: string[] = [];
    const result = await engineOf(name).chat({ messages: [{ role: "user", content: "Explain recursion." }], maxTokens: 16 }, { onText: (t) => chunks.push(t) });
    expect(result.stopReason).toBe("maxTokens");
    expect(result.metrics.generatedTokens).toBe(16);
    expect(chunks.join("")).toBe(result.text);
  });

  it("answers with schema-valid JSON", async () => {
    const schema = {
      type: "object",
      properties: { action: { enum: ["rename", "extract", "inline"] }, name: { type: "string", maxLength: 10 } },
      required: ["action", "name"],
      additionalProperties: false,
    };
    const result = await engineOf(name).chat({ messages: [{ role: "user", content: "Pick a refactor." }], jsonSchema: schema, maxTokens: 120, sequence: "refactor" });
    expect(new Ajv().validate(schema, JSON.parse(result.text))).toBe(true);
  });

  it("offers tools: a call has valid arguments, or the model answers", async () => {
    const tools = [
      { name: "read_file", description: "Reads a workspace file", parameters: { type: "object", properties: { path: { type: "string", maxLength: 12 } }, required: ["path"], additionalProperties: false } },
    ];
    const result = await engineOf(name).chat({ messages: [{ role: "user", content: "What is in a.ts?" }], tools, maxTokens: 8 });
    if (result.toolCalls?.length) {
      expect(result.toolCalls[0].name).toBe("read_file");
      expect(new Ajv().validate(tools[0].parameters, JSON.parse(result.toolCalls[0].arguments))).toBe(true);
    } else {
      expect(result.metrics.generatedTokens).toBeGreaterThan(0);
    }
  });

  it("cancels with a typed error", async () => {
    const controller = new AbortController();
    let chunks = 0;
    const pending = engineOf(name).chat(
      { messages: [{ role: "user", content: "Tell me a long story." }], maxTokens: 2000 },
      { signal: controller.signal, onText: () => void (++chunks === 3 && controller.abort()) },
    );
    const error = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    // The local engine reports a cancelled generate as an error or as stopReason "aborted".
    if (error === undefined) return expect((await pending).stopReason).toBe("aborted");
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe("cancelled");
  });
});
