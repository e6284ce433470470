// Tools from vscode.lm callers and other extensions on the real engine (synthetic model, random
// weights): a schema as MCP servers write them ($ref, patterns, type lists, open objects), narrowed
// by core/languageModel/lmTools.ts, must become a grammar the engine accepts, and every call the
// model makes under it must validate against the narrowed schema. Structure only, not content.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEngine, type LocalEngine } from "../../src/backends/local/localEngine.js";
import { validateJson } from "../../src/core/json/validateJson.js";
import { toLmToolCall, toToolDefinitions } from "../../src/core/languageModel/lmTools.js";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";

let engine: LocalEngine;

beforeAll(async () => {
  engine = createLocalEngine({ modelPath: await ensureSyntheticModel(), contextSize: 4096, threads: 1 });
});

afterAll(async () => {
  await engine?.dispose();
});

const mcpLikeTools = [
  {
    name: "search_issues",
    description: "Search the issue tracker.",
    inputSchema: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: {
        query: { type: "string", pattern: "\\S", maxLength: 40 },
        state: { enum: ["open", "closed"] },
        limit: { type: ["integer", "null"], minimum: 1 },
        labels: { type: "array", items: { type: "string", maxLength: 12 }, maxItems: 2 },
        filter: { $ref: "#/definitions/filter" },
      },
      required: ["query"],
      definitions: { filter: { type: "object", additionalProperties: true } },
    },
  },
  { name: "get_time", description: "The current time.", inputSchema: {} },
];

describe("vscode.lm tools on the local engine", () => {
  it("a narrowed MCP-style schema makes a grammar whose every finished answer the validator accepts", async () => {
    const definitions = toToolDefinitions(mcpLikeTools, { grammarSafe: true })!;
    for (const definition of definitions) {
      let finished = 0;
      for (const seed of [1, 2, 3]) {
        const messages = [{ role: "user" as const, content: `Call ${definition.name} for the open issues about crashes.` }];
        const result = await engine.chat({ messages, jsonSchema: definition.parameters, maxTokens: 200, temperature: 0.9, seed });
        // Random weights can write a number's digits until the token limit (JSON numbers have no
        // length bound): a cut answer is no call (the tool step answers instead), so only finished
        // ones are checked, and most must finish.
        if (result.stopReason === "maxTokens") continue;
        expect(result.stopReason, `${definition.name} seed ${seed}: ${result.text}`).toBe("eos");
        finished++;
        const checked = validateJson(definition.parameters, result.text);
        expect(checked.ok, `${definition.name} seed ${seed}: ${result.text} ${checked.ok ? "" : checked.error}`).toBe(true);
        expect(toLmToolCall({ id: "c", name: definition.name, arguments: result.text }).ok).toBe(true);
      }
      expect(finished, definition.name).toBeGreaterThanOrEqual(2);
    }
  });

  it("with the tools offered, a turn either calls one of them with valid arguments or answers", async () => {
    const definitions = toToolDefinitions(mcpLikeTools, { grammarSafe: true })!;
    for (const seed of [1, 2]) {
      const result = await engine.chat({ messages: [{ role: "user", content: "Find the open issues about crashes." }], tools: definitions, maxTokens: 8, temperature: 0.9, seed });
      for (const call of result.toolCalls ?? []) {
        const definition = definitions.find((tool) => tool.name === call.name);
        expect(definition, call.name).toBeDefined();
        expect(validateJson(definition!.parameters, call.arguments).ok).toBe(true);
      }
      if (!result.toolCalls) expect(result.metrics.generatedTokens).toBeGreaterThan(0);
    }
  });
});
