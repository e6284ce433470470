// Issue 19, item 4: a refactor's length limit must refuse, never cut. The scripted engine obeys
// the schema as the grammar does: a string stops at its maxLength, whether or not the model was done.
import { describe, expect, it } from "vitest";
import type { ChatRequest, ChatResult, Engine } from "../../../src/core/engine/engine.js";
import type { JsonSchema } from "../../../src/core/json/validateJson.js";
import { builtinActions } from "../../../src/core/refactor/actions.js";
import { defaultLimits, fieldsAtLimit, limitBounds, resolveLimits } from "../../../src/core/refactor/answerShapes.js";
import { runRefactor, schemaFor } from "../../../src/core/refactor/runRefactor.js";
import type { StopReason } from "../../../src/protocol/engine.js";
import { applyEdits, targetOf } from "./helpers.js";

const metrics = { promptTokens: 1, reusedTokens: 0, evaluatedTokens: 1, restoredTokens: 0, forcedTokens: 0, generatedTokens: 5, promptMs: 1, firstTokenMs: 1, generationMs: 1, totalMs: 2 };

/** A model that wants to answer `code`; what it can emit is bounded by the request's schema, as under a grammar. */
function grammarBoundEngine(code: string, stopReason: StopReason = "eos") {
  const engine = {
    kind: "local",
    async chat(request: ChatRequest): Promise<ChatResult> {
      const schema = request.jsonSchema as { properties: { code: JsonSchema } };
      const maxLength = schema.properties.code.maxLength as number;
      return { text: JSON.stringify({ rationale: "Checks the inputs.", code: code.slice(0, maxLength) }), stopReason, metrics };
    },
  } as unknown as Engine;
  return engine;
}

/** A function of about `length` characters. */
function bigFunction(length: number): string {
  const lines = ["function process(items) {"];
  for (let i = 0; lines.join("\n").length < length - 2; i++) lines.push(`  const value${i} = items[${i}] * ${i} + compute(items, ${i});`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

const addErrorHandling = builtinActions.find((action) => action.id === "addErrorHandling")!;
const withInstruction = builtinActions.find((action) => action.id === "withInstruction")!;

describe("refactor length limits", () => {
  const original = bigFunction(10_500);
  const target = targetOf(`// file\n«${original}»`);
  // The answer a model gives for a 10.5k-character function: the same code with checks, 12k characters.
  const rewritten = original.replace("function process(items) {\n", `function process(items) {\n${"  if (!Array.isArray(items)) throw new TypeError('items must be an array');\n".repeat(20)}`);

  it("the limit grows with the selection, past the old 6,000 characters", () => {
    expect(original.length).toBeGreaterThan(10_400);
    expect(rewritten.length).toBeGreaterThan(11_500);
    expect(defaultLimits(original.length).maxTextLength).toBeGreaterThan(1.4 * original.length);
    const schema = schemaFor(addErrorHandling, target) as { properties: { code: { maxLength: number } } };
    expect(schema.properties.code.maxLength).toBeGreaterThan(rewritten.length);
  });

  it("an action's own limits stay within their bounds; the ones it does not set scale", () => {
    expect(resolveLimits(10_500, { maxItems: 3 })).toEqual({ maxItems: 3, maxTextLength: defaultLimits(10_500).maxTextLength });
    expect(resolveLimits(10_500, { maxTextLength: 1e9 }).maxTextLength).toBe(limitBounds.maxTextLength.max);
    expect(resolveLimits(100, { maxTextLength: 1 }).maxTextLength).toBe(limitBounds.maxTextLength.min);
  });

  it.each([addErrorHandling, withInstruction])("$title on a 10.5k-character function applies the whole answer", async (action) => {
    const plan = await runRefactor(grammarBoundEngine(rewritten), action, target, { instruction: "add checks" });
    expect(applyEdits(target.documentText, plan.edits)).toBe(`// file\n${rewritten}`);
  });

  it("an answer that reaches the limit is refused with a clear message, never applied cut", async () => {
    const tooLong = rewritten.repeat(3);
    const outcome = await runRefactor(grammarBoundEngine(tooLong), addErrorHandling, target).catch((error: unknown) => error);
    expect(outcome).toMatchObject({ code: "answerTooLong", message: expect.stringMatching(/reached the limit of [\d,]+ characters for code .* nothing was applied/) });
  });

  it("an answer the token limit cut short is refused as too long", async () => {
    const engine = {
      kind: "local",
      chat: async (): Promise<ChatResult> => ({ text: '{"rationale":"x","code":"function process(', stopReason: "maxTokens", metrics }),
    } as unknown as Engine;
    await expect(runRefactor(engine, addErrorHandling, target)).rejects.toMatchObject({ code: "answerTooLong", message: expect.stringMatching(/did not end within/) });
  });

  it("finds every applied field at its bound, in lists too, and leaves the rationale out", () => {
    const schema = {
      type: "object",
      properties: {
        rationale: { type: "string", maxLength: 3 },
        edits: { type: "array", items: { type: "object", properties: { anchor: { type: "string", maxLength: 4 }, replacement: { type: "string", maxLength: 5 } } } },
      },
    };
    const answer = { rationale: "abc", edits: [{ anchor: "ab", replacement: "12345" }, { anchor: "abcd", replacement: "1" }] };
    expect(fieldsAtLimit(schema, answer)).toEqual([
      { path: "/edits/0/replacement", maxLength: 5 },
      { path: "/edits/1/anchor", maxLength: 4 },
    ]);
    // Code points, as the grammar counts: two astral characters are two, not four.
    expect(fieldsAtLimit({ type: "string", maxLength: 3 }, "😀😀")).toEqual([]);
  });
});
