import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../../src/core/engine/engine.js";
import type { ChatLocation } from "../../../src/core/chat/chatLocation.js";
import { ChatSession } from "../../../src/core/chat/chatSession.js";
import { messageOverheadTokens } from "../../../src/core/chat/contextWindow.js";
import { toolStepInstructions } from "../../../src/core/chat/toolStep.js";
import { workspaceToolDefinitions } from "../../../src/core/chat/workspaceTools.js";
import { ConversationStore } from "../../../src/core/chat/conversationStore.js";
import type { HostMessage } from "../../../src/protocol/webview.js";
import { scriptedEngine, type ScriptedAnswer } from "./scriptedEngine.js";

let directory: string;
let remembered: string | undefined;

beforeEach(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "chat-session-"));
  remembered = undefined;
});
afterEach(() => rm(directory, { recursive: true, force: true }));

function session(answers: ScriptedAnswer[], options: { tools?: boolean; contextSize?: number; maxTokens?: number; location?: ChatLocation } = {}) {
  const { engine, requests } = scriptedEngine(answers, options.contextSize);
  const posted: HostMessage[] = [];
  const chat = new ChatSession({
    engine,
    store: new ConversationStore(directory),
    settings: () => ({ systemPrompt: "Be brief.", maxTokens: options.maxTokens ?? 256, tools: options.tools ?? false }),
    workspaceFolders: () => [directory],
    currentId: { get: () => remembered, set: async (id) => void (remembered = id) },
    post: (message) => posted.push(message),
    log: () => undefined,
    location: options.location && (() => options.location!),
  });
  return { chat, requests, posted };
}

const roles = (chat: ChatSession) => chat.current.entries.map((e) => e.role);

describe("chat session", () => {
  it("streams an answer, saves the conversation and restores it after a reload", async () => {
    const { chat, posted, requests } = session([{ chunks: ["Hel", "lo"] }]);
    await chat.send("Say hello\nplease");
    expect(posted.filter((m) => m.type === "chunk").map((m) => (m as { text: string }).text)).toEqual(["Hel", "lo"]);
    expect(requests[0]!.messages).toEqual([{ role: "system", content: "Be brief." }, { role: "user", content: "Say hello\nplease" }]);
    expect(chat.current.title).toBe("Say hello");
    expect(chat.current.entries[1]).toMatchObject({ role: "assistant", content: "Hello", stopReason: "eos", metrics: { reusedTokens: 4 } });
    expect(chat.busy).toBe(false);

    const reloaded = session([]).chat;
    await reloaded.restore();
    expect(reloaded.current).toEqual(chat.current);
    expect(reloaded.state.history.map((h) => h.title)).toEqual(["Say hello"]);
  });

  it("Stop ends the answer and keeps what was generated", async () => {
    const { chat } = session([{ chunks: ["partial"], untilAborted: true }]);
    const sending = chat.send("long question");
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(chat.state.streamingEntryId).toBe(chat.current.entries[1]!.id);
    await chat.stop();
    await sending;
    expect(chat.current.entries[1]).toMatchObject({ content: "partial", stopReason: "aborted" });
    expect(chat.state.streamingEntryId).toBeNull();
  });

  it("continues an answer from its edited start", async () => {
    const { chat, requests } = session([{ chunks: ["first"], stopReason: "maxTokens" }, { chunks: [" b)"] }]);
    await chat.send("write add");
    const answer = chat.current.entries[1]!;
    await chat.continueAnswer(answer.id, "def add(a,");
    expect(requests[1]!.assistantPrefix).toBe("def add(a,");
    expect(requests[1]!.messages.at(-1)).toEqual({ role: "user", content: "write add" });
    expect(chat.current.entries).toHaveLength(2);
    expect(chat.current.entries[1]).toMatchObject({ content: "def add(a, b)", stopReason: "eos" });
  });

  it("attaches pending files to the next message only", async () => {
    const { chat, requests } = session([{ chunks: ["ok"] }, { chunks: ["ok"] }]);
    chat.attach({ kind: "file", label: "a.ts", path: "a.ts", languageId: "typescript", text: "export {}" });
    await chat.send("explain");
    await chat.send("again");
    expect(requests[0]!.messages[1]!.content).toContain("File a.ts:\n```typescript\nexport {}\n```\n\nexplain");
    expect(chat.current.entries[0]!.attachments).toHaveLength(1);
    expect(chat.current.entries[2]!.attachments).toBeUndefined();
  });

  it("drops old turns to fit the context and shows a notice", async () => {
    const long = Array.from({ length: 120 }, () => "word").join(" ");
    const { chat, requests } = session([{ chunks: [long] }, { chunks: ["ok"] }], { contextSize: 400, maxTokens: 100 });
    await chat.send(long);
    await chat.send("short follow-up");
    expect(requests[1]!.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(roles(chat)).toEqual(["user", "assistant", "user", "notice", "assistant"]);
  });

  it("refuses a message that does not fit, keeping it, without an empty answer", async () => {
    const { chat, posted } = session([], { contextSize: 200, maxTokens: 50 });
    await chat.send(Array.from({ length: 300 }, () => "w").join(" "));
    expect(roles(chat)).toEqual(["user"]);
    expect(posted.find((m) => m.type === "error")).toMatchObject({ message: expect.stringMatching(/contextSize/) });
  });

  it("shows tool calls and results in the transcript", async () => {
    const { chat } = session([{ toolCalls: [{ id: "t1", name: "list_folder", arguments: '{"path":"."}' }] }, { chunks: ["Done."] }], { tools: true });
    await chat.send("what files are there?");
    expect(roles(chat)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(chat.current.entries[2]).toMatchObject({ toolName: "list_folder", toolOk: true });
    expect(chat.current.entries[3]!.content).toBe("Done.");
  });

  it("starts clean, renames, and deletes", async () => {
    const { chat } = session([{ chunks: ["a"] }]);
    await chat.send("first");
    const firstId = chat.current.id;
    await chat.newChat();
    expect(chat.current.entries).toEqual([]);
    expect(chat.current.id).not.toBe(firstId);
    await chat.rename(firstId, "Renamed");
    expect(chat.state.history[0]).toMatchObject({ id: firstId, title: "Renamed" });
    await chat.remove(firstId);
    expect(chat.state.history).toEqual([]);
  });

  it("cuts a tool result to what is left of the context, so the turn does not overflow (issue 19)", async () => {
    // The scripted tokenizer counts words: a 24 KB file of short words is ~4,800 tokens.
    await writeFile(path.join(directory, "big.ts"), "let x = 1;\n".repeat(2400));
    const contextSize = 2048;
    const maxTokens = 256;
    const { chat, requests } = session([{ toolCalls: [{ id: "t1", name: "read_file", arguments: '{"path":"big.ts"}' }] }, { chunks: ["Done."] }], { tools: true, contextSize, maxTokens });
    await chat.send("explain big.ts");
    expect(roles(chat)).toEqual(["user", "assistant", "tool", "assistant"]);
    const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
    const tokens = (messages: readonly ChatMessage[]) =>
      messages.reduce((sum, m) => sum + words(m.content + (m.toolCalls?.map((c) => `${c.name} ${c.arguments}`).join("\n") ?? "")) + messageOverheadTokens, 0);
    const prompt = tokens(requests[1]!.messages) + words(toolStepInstructions(workspaceToolDefinitions));
    expect(prompt + maxTokens).toBeLessThanOrEqual(contextSize);
    const tool = chat.current.entries[2]!;
    expect(tool.content).toMatch(/cut to fit the context window/);
    expect(tool.content.startsWith("let x = 1;")).toBe(true);
    expect(chat.current.entries[3]!.content).toBe("Done.");
  });

  it("tells the page where the chat runs: this machine, or the remote host (issue 19)", async () => {
    expect(session([]).chat.state.location).toMatch(/this machine; nothing leaves it/);
    const remote = session([], { location: { kind: "remote", baseUrl: "https://gpu.example.com:8443/v1" } }).chat.state.location;
    expect(remote).toContain("gpu.example.com:8443");
    expect(remote).not.toMatch(/nothing leaves/);
  });
});
