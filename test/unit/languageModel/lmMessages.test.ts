// vscode.lm messages → our conversation format (core/languageModel/lmMessages.ts).
import { describe, expect, it } from "vitest";
import { lmMessageText, toChatMessages, unansweredToolResult, type LmMessage } from "../../../src/core/languageModel/lmMessages.js";

const text = (value: string) => ({ kind: "text" as const, text: value });

describe("toChatMessages", () => {
  it("joins each message's text parts and keeps the roles", () => {
    const messages: LmMessage[] = [
      { role: "system", parts: [text("Be brief.")] },
      { role: "user", parts: [text("Explain "), text("this.")] },
      { role: "assistant", parts: [text("It adds.")] },
    ];
    expect(toChatMessages(messages)).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Explain this." },
      { role: "assistant", content: "It adds." },
    ]);
  });

  it("turns tool calls into the assistant's toolCalls and their results into tool messages before the user's text", () => {
    const messages: LmMessage[] = [
      { role: "user", parts: [text("What is in a.ts?")] },
      { role: "assistant", parts: [text("Reading."), { kind: "toolCall", callId: "c1", name: "read_file", input: { path: "a.ts" } }] },
      { role: "user", parts: [text("Thanks."), { kind: "toolResult", callId: "c1", content: "export const a = 1;" }] },
    ];
    expect(toChatMessages(messages)).toEqual([
      { role: "user", content: "What is in a.ts?" },
      { role: "assistant", content: "Reading.", toolCalls: [{ id: "c1", name: "read_file", arguments: '{"path":"a.ts"}' }] },
      { role: "tool", content: "export const a = 1;", toolCallId: "c1" },
      { role: "user", content: "Thanks." },
    ]);
  });

  it("answers a call the caller never answered as not run, so a server accepts the conversation", () => {
    const messages: LmMessage[] = [
      { role: "user", parts: [text("q")] },
      { role: "assistant", parts: [{ kind: "toolCall", callId: "c1", name: "a", input: {} }, { kind: "toolCall", callId: "c2", name: "b", input: {} }] },
      { role: "user", parts: [{ kind: "toolResult", callId: "c2", content: "two" }] },
      { role: "assistant", parts: [{ kind: "toolCall", callId: "c3", name: "a", input: {} }] },
    ];
    const roles = toChatMessages(messages).map((m) => [m.role, m.toolCallId, m.content]);
    expect(roles).toEqual([
      ["user", undefined, "q"],
      ["assistant", undefined, ""],
      ["tool", "c2", "two"],
      ["tool", "c1", unansweredToolResult],
      ["assistant", undefined, ""],
      ["tool", "c3", unansweredToolResult],
    ]);
  });

  it("keeps a result whose call is not in the conversation as user text", () => {
    const messages: LmMessage[] = [{ role: "user", parts: [{ kind: "toolResult", callId: "gone", content: "42" }, text("And now?")] }];
    expect(toChatMessages(messages)).toEqual([{ role: "user", content: "Result of tool call gone:\n42\n\nAnd now?" }]);
  });

  it("leaves out messages with nothing in them", () => {
    const messages: LmMessage[] = [
      { role: "system", parts: [] },
      { role: "user", parts: [text("hi")] },
      { role: "assistant", parts: [text("")] },
    ];
    expect(toChatMessages(messages)).toEqual([{ role: "user", content: "hi" }]);
  });
});

describe("lmMessageText", () => {
  it("counts text, tool calls with their input, and tool results", () => {
    const message: LmMessage = {
      role: "assistant",
      parts: [text("a"), { kind: "toolCall", callId: "c", name: "run", input: { x: 1 } }, { kind: "toolResult", callId: "c", content: "ok" }],
    };
    expect(lmMessageText(message)).toBe('arun {"x":1}ok');
  });
});
