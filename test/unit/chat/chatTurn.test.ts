// The turn loop against a scripted Engine (the engine itself is tested in test/engine/chat.test.ts).
import { describe, expect, it } from "vitest";
import type { ToolCall } from "../../../src/core/engine/engine.js";
import { runChatTurn, type ToolRunner } from "../../../src/core/chat/chatTurn.js";
import { scriptedEngine } from "./scriptedEngine.js";

const readCall: ToolCall = { id: "c1", name: "read_file", arguments: '{"path":"a.ts"}' };

const tools = (log: string[]): ToolRunner => ({
  definitions: [{ name: "read_file", description: "read", parameters: { type: "object" } }],
  async run(call) {
    log.push(call.name);
    return { ok: true, content: "export const a = 1;" };
  },
});

const noEvents = { onText: () => undefined, onToolCall: () => undefined, onToolResult: () => undefined };

describe("runChatTurn", () => {
  it("runs the tools the model asks for and gives the results back", async () => {
    const { engine, requests } = scriptedEngine([{ toolCalls: [readCall] }, { chunks: ["It exports a."] }]);
    const ran: string[] = [];
    const shown: string[] = [];
    const outcome = await runChatTurn(
      engine,
      { messages: [{ role: "user", content: "What is in a.ts?" }], tools: tools(ran), maxTokens: 64 },
      { onText: (t) => shown.push(`text:${t}`), onToolCall: (c) => shown.push(`call:${c.name}`), onToolResult: (c, r) => shown.push(`result:${r.ok}`) },
    );
    expect(ran).toEqual(["read_file"]);
    expect(shown).toEqual(["call:read_file", "result:true", "text:It exports a."]);
    expect(outcome.answer.text).toBe("It exports a.");
    expect(outcome.added.map((m) => m.role)).toEqual(["assistant", "tool", "assistant"]);
    expect(requests[1]!.messages.at(-1)).toEqual({ role: "tool", content: "export const a = 1;", toolCallId: "c1" });
  });

  it("stops offering tools after the round limit", async () => {
    const { engine, requests } = scriptedEngine([{ toolCalls: [readCall] }, { toolCalls: [readCall] }, { chunks: ["done"] }]);
    await runChatTurn(engine, { messages: [{ role: "user", content: "q" }], tools: tools([]), maxToolRounds: 2, maxTokens: 8 }, noEvents);
    expect(requests.map((r) => !!r.tools)).toEqual([true, true, false]);
  });

  it("offers no tools when continuing an answer from a prefix", async () => {
    const { engine, requests } = scriptedEngine([{ chunks: [" more"] }]);
    const outcome = await runChatTurn(engine, { messages: [{ role: "user", content: "q" }], tools: tools([]), assistantPrefix: "Start", maxTokens: 8 }, noEvents);
    expect(requests[0]!.tools).toBeUndefined();
    expect(requests[0]!.assistantPrefix).toBe("Start");
    expect(outcome.added).toEqual([{ role: "assistant", content: " more" }]);
  });

  it("does not run tools once the user pressed Stop", async () => {
    const controller = new AbortController();
    controller.abort();
    const { engine } = scriptedEngine([{ toolCalls: [readCall], stopReason: "aborted" }]);
    const ran: string[] = [];
    const outcome = await runChatTurn(engine, { messages: [{ role: "user", content: "q" }], tools: tools(ran), maxTokens: 8, signal: controller.signal }, noEvents);
    expect(ran).toEqual([]);
    expect(outcome.answer.stopReason).toBe("aborted");
  });
});
