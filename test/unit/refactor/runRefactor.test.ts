// The request pipeline against a scripted Engine (the real engine is covered in test/engine):
// what the model is asked, and that nothing comes out of an invalid or cancelled answer.
import { describe, expect, it } from "vitest";
import type { ChatRequest, ChatResult, Engine, GenerationOptions } from "../../../src/core/engine/engine.js";
import { builtinActions } from "../../../src/core/refactor/actions.js";
import { refactorMessages } from "../../../src/core/refactor/refactorPrompt.js";
import { requestRefactorAnswer, runRefactor } from "../../../src/core/refactor/runRefactor.js";
import { EngineError, type StopReason } from "../../../src/protocol/engine.js";
import { applyEdits, targetOf } from "./helpers.js";

const metrics = { promptTokens: 1, reusedTokens: 0, evaluatedTokens: 1, restoredTokens: 0, forcedTokens: 0, generatedTokens: 5, promptMs: 1, firstTokenMs: 1, generationMs: 1, totalMs: 2 };

function scriptedEngine(answer: (request: ChatRequest, options: GenerationOptions) => Promise<{ text: string; stopReason?: StopReason }>) {
  const requests: ChatRequest[] = [];
  const engine = {
    kind: "local",
    async chat(request: ChatRequest, options: GenerationOptions = {}): Promise<ChatResult> {
      requests.push(request);
      const { text, stopReason = "eos" } = await answer(request, options);
      return { text, stopReason, metrics };
    },
  } as unknown as Engine;
  return { engine, requests };
}

const simplify = builtinActions.find((action) => action.id === "simplify")!;
const target = targetOf("const a = 1;\n«if (a === true) { go(); }»\n");

describe("runRefactor", () => {
  it("asks on the refactor sequence under the action's schema, and plans the validated answer", async () => {
    const { engine, requests } = scriptedEngine(async () => ({
      text: JSON.stringify({ rationale: "Drop the comparison.", edits: [{ anchor: "a === true", replacement: "a" }] }),
    }));
    const plan = await runRefactor(engine, simplify, target);
    expect(requests[0]).toMatchObject({ sequence: "refactor", temperature: 0, jsonSchema: expect.objectContaining({ type: "object" }) });
    expect(requests[0]!.maxTokens).toBeGreaterThan(100);
    expect(applyEdits(target.documentText, plan.edits)).toBe("const a = 1;\nif (a) { go(); }\n");
    expect(plan.rationale).toBe("Drop the comparison.");
  });

  it("refuses an answer that does not fit the schema", async () => {
    const { engine } = scriptedEngine(async () => ({ text: JSON.stringify({ rationale: "x", edits: [{ anchor: "a" }] }) }));
    await expect(runRefactor(engine, simplify, target)).rejects.toMatchObject({ code: "invalidAnswer", message: expect.stringContaining("replacement") });
  });

  it("a cancelled request produces no plan, whether the engine stops or throws", async () => {
    const controller = new AbortController();
    const stops = scriptedEngine(async () => {
      controller.abort();
      return { text: '{"rationale":"', stopReason: "aborted" };
    });
    await expect(runRefactor(stops.engine, simplify, target, { signal: controller.signal })).rejects.toMatchObject({ code: "cancelled" });
    const throws = scriptedEngine(async () => {
      throw new EngineError("cancelled", "The request was cancelled.");
    });
    await expect(runRefactor(throws.engine, simplify, target)).rejects.toMatchObject({ code: "cancelled" });
  });

  it("wraps engine errors and refuses an empty selection", async () => {
    const failing = scriptedEngine(async () => {
      throw new EngineError("tokenLimit", "The JSON answer did not finish within 10 tokens");
    });
    await expect(requestRefactorAnswer(failing.engine, simplify, target)).rejects.toMatchObject({ code: "engine", message: expect.stringContaining("10 tokens") });
    const empty = { ...target, selection: { start: 3, end: 3 } };
    await expect(requestRefactorAnswer(failing.engine, simplify, empty)).rejects.toMatchObject({ code: "noTarget" });
  });
});

describe("refactorMessages", () => {
  it("shows the selection with LF line ends between read-only context, with the task and instruction", () => {
    const crlf = targetOf("before();\r\n«one();\r\ntwo();»\r\nafter();\r\n");
    const action = builtinActions.find((candidate) => candidate.asksForInstruction)!;
    const [system, user] = refactorMessages(action, crlf, "use arrow functions");
    expect(system!.role).toBe("system");
    expect(system!.content).toContain('"code" is the complete new code');
    expect(user!.content).toContain("Selected code:\n```typescript\none();\ntwo();\n```");
    expect(user!.content).toContain("before();");
    expect(user!.content).toContain("after();");
    expect(user!.content).not.toContain("\r");
    expect(user!.content).toContain("Instruction from the user: use arrow functions");
  });

  it("fences code that contains backticks with a longer fence", () => {
    const [, user] = refactorMessages(simplify, targetOf("«const s = ```x```;»"));
    expect(user!.content).toContain("````typescript\nconst s = ```x```;\n````");
  });
});
