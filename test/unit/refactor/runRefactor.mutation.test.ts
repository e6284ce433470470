// The refactor request at its edges: what reaches the engine (token budget, sampling, the user's
// instruction, cancellation and progress), each way a request can end without a plan and what the
// user is told, and what a successful request reports. Written for the mutants the first tests let
// live (docs/mutation.md).
import { describe, expect, it } from "vitest";
import type { ChatRequest, ChatResult, Engine, GenerationOptions } from "../../../src/core/engine/engine.js";
import { answerCharacterBound } from "../../../src/core/refactor/answerShapes.js";
import { builtinActions } from "../../../src/core/refactor/actions.js";
import { maxAnswerTokens, requestRefactorAnswer, runRefactor, schemaFor } from "../../../src/core/refactor/runRefactor.js";
import { EngineError, type StopReason } from "../../../src/protocol/engine.js";
import { targetOf } from "./helpers.js";

const metrics = { promptTokens: 1, reusedTokens: 0, evaluatedTokens: 1, restoredTokens: 0, forcedTokens: 0, generatedTokens: 5, promptMs: 1, firstTokenMs: 1, generationMs: 1, totalMs: 2 };

function scripted(answer: (options: GenerationOptions) => { text: string; stopReason?: StopReason } | Promise<never>) {
  const calls: { request: ChatRequest; options: GenerationOptions }[] = [];
  const engine = {
    kind: "local",
    async chat(request: ChatRequest, options: GenerationOptions = {}): Promise<ChatResult> {
      calls.push({ request, options });
      const { text, stopReason = "eos" } = await answer(options);
      return { text, stopReason, metrics };
    },
  } as unknown as Engine;
  return { engine, calls };
}

const simplify = builtinActions.find((action) => action.id === "simplify")!;
const addErrorHandling = builtinActions.find((action) => action.id === "addErrorHandling")!;
const target = targetOf("const a = 1;\n«if (a === true) { go(); }»\n");
const goodText = JSON.stringify({ rationale: "Drop the comparison.", edits: [{ anchor: "a === true", replacement: "a" }] });
const outcome = (promise: Promise<unknown>) => promise.then(() => "no refusal", (error: unknown) => error);

describe("what reaches the engine", () => {
  it("the token budget is twice the schema's character bound, and never more than 32,768", async () => {
    const small = scripted(() => ({ text: goodText }));
    await runRefactor(small.engine, simplify, target);
    expect(small.calls[0]!.request.maxTokens).toBe(answerCharacterBound(schemaFor(simplify, target)) * 2);
    const huge = targetOf(`«${"x = x + 1;\n".repeat(3000)}»`);
    const big = scripted(() => ({ text: JSON.stringify({ rationale: "", code: "x += 3000;\n" }) }));
    await runRefactor(big.engine, addErrorHandling, huge);
    expect(big.calls[0]!.request.maxTokens).toBe(maxAnswerTokens);
  });

  it("passes the user's instruction, sampling settings, the cancellation signal and the progress callback", async () => {
    const controller = new AbortController();
    const chunks: string[] = [];
    const { engine, calls } = scripted((options) => {
      options.onText?.("{");
      return { text: goodText };
    });
    await runRefactor(engine, simplify, target, { instruction: "keep it short", temperature: 0.7, seed: 42, signal: controller.signal, onText: (chunk) => chunks.push(chunk) });
    expect(calls[0]!.request).toMatchObject({ temperature: 0.7, seed: 42 });
    expect(calls[0]!.request.messages.at(-1)!.content).toMatch(/Instruction from the user: keep it short$/);
    expect(calls[0]!.options.signal).toBe(controller.signal);
    expect(chunks).toEqual(["{"]);
  });

  it("sizes the schema by the selection's length, wherever it stands in the file", () => {
    const far = targetOf(`${"// header\n".repeat(50)}«x === true»\n`);
    const schema = schemaFor(simplify, far) as { properties: { edits: { items: { properties: { anchor: { maxLength: number } } } } } };
    expect(schema.properties.edits.items.properties.anchor.maxLength).toBe(10);
  });
});

describe("how a request ends without a plan", () => {
  const cancelled = { code: "cancelled", message: "The refactor was cancelled; nothing was applied." };

  it("an empty selection is refused before the model is asked, telling the user what to select", async () => {
    const { engine, calls } = scripted(() => ({ text: goodText }));
    const empty = { ...target, selection: { start: 5, end: 5 } };
    expect(await outcome(runRefactor(engine, simplify, empty))).toMatchObject({ code: "noTarget", message: "Select some code first, or place the cursor inside a function." });
    expect(calls).toEqual([]);
  });

  it("the engine reports it stopped because the request was aborted", async () => {
    const { engine } = scripted(() => ({ text: '{"rationale":"', stopReason: "aborted" }));
    expect(await outcome(runRefactor(engine, simplify, target))).toMatchObject(cancelled);
  });

  it("the user cancelled while a complete answer came back", async () => {
    const controller = new AbortController();
    const { engine } = scripted(() => {
      controller.abort();
      return { text: goodText };
    });
    expect(await outcome(runRefactor(engine, simplify, target, { signal: controller.signal }))).toMatchObject(cancelled);
  });

  it("the user cancelled and the engine failed in its own way", async () => {
    const controller = new AbortController();
    const { engine } = scripted(() => {
      controller.abort();
      return Promise.reject(new Error("socket closed"));
    });
    expect(await outcome(runRefactor(engine, simplify, target, { signal: controller.signal }))).toMatchObject(cancelled);
  });

  it("an error that is not the engine's is passed on as it is", async () => {
    const bug = new TypeError("undefined is not a function");
    const { engine } = scripted(() => Promise.reject(bug));
    expect(await outcome(runRefactor(engine, simplify, target))).toBe(bug);
  });

  it("the engine's error keeps its message under the engine code", async () => {
    const { engine } = scripted(() => Promise.reject(new EngineError("engineUnavailable", "The engine is not running.")));
    expect(await outcome(runRefactor(engine, simplify, target))).toMatchObject({ code: "engine", message: "The engine is not running." });
  });

  it("the model took too long", async () => {
    const { engine } = scripted(() => ({ text: goodText.slice(0, 10), stopReason: "timeout" }));
    expect(await outcome(runRefactor(engine, simplify, target))).toMatchObject({ code: "engine", message: "The model took too long to answer; nothing was applied." });
  });

  it("an answer cut by the token limit names the tokens it took", async () => {
    const { engine } = scripted(() => ({ text: goodText.slice(0, 30), stopReason: "maxTokens" }));
    expect(await outcome(runRefactor(engine, simplify, target))).toMatchObject({
      code: "answerTooLong",
      message: expect.stringMatching(/^The model's answer did not end within 5 tokens \(the most this selection and the context allow\), so it is incomplete; nothing was applied\. Select less code, or split the change\.$/),
    });
  });

  it("an answer outside the schema says what is wrong", async () => {
    const { engine } = scripted(() => ({ text: JSON.stringify({ rationale: "x", edits: "none" }) }));
    expect(await outcome(runRefactor(engine, simplify, target))).toMatchObject({
      code: "invalidAnswer",
      message: expect.stringMatching(/^The model's answer does not fit the action's schema \(.*edits.*\); nothing was applied\.$/),
    });
  });

  it("an answer at its length limit names the limit with thousands separators and the field", async () => {
    const big = targetOf(`«${"y = y * 2;\n".repeat(100)}»`);
    const limit = 2050; // 1,100 characters selected: half as long again plus 400 (defaultLimits)
    const { engine } = scripted(() => ({ text: JSON.stringify({ rationale: "r", code: "z".repeat(limit) }) }));
    expect(await outcome(runRefactor(engine, addErrorHandling, big))).toMatchObject({
      code: "answerTooLong",
      message: `The model's answer reached the limit of 2,050 characters for code that this selection allows, so it may be cut off; nothing was applied. Select less code, or split the change.`,
    });
  });
});

describe("a successful request", () => {
  it("a complete, valid answer is used even when it ended exactly at the token limit", async () => {
    const { engine } = scripted(() => ({ text: goodText, stopReason: "maxTokens" }));
    const plan = await runRefactor(engine, simplify, target);
    expect(plan.edits).toHaveLength(1);
  });

  it("reports the answer, its text, the tokens and the time it took", async () => {
    const { engine } = scripted(() => ({ text: goodText }));
    expect(await requestRefactorAnswer(engine, simplify, target)).toEqual({ answer: JSON.parse(goodText), text: goodText, generatedTokens: 5, totalMs: 2 });
  });
});
