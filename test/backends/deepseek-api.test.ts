// The DeepSeek API as documented (issue 20, goal 2), against its fake (test/fixtures/fakeServers/
// deepseekApi.ts, which refuses what the API refuses): JSON output with one repair round, the
// reasoner's reasoning_content streamed apart, sent back with its tool calls only (thinking mode
// refuses a call without it), and the context-cache figures in the chat metrics. FIM at /beta/completions, prefix continuation at /beta and function calling run
// in server-matrix.test.ts.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { HttpEngine } from "../../src/backends/http/httpEngine.js";
import { ChatSession } from "../../src/core/chat/chatSession.js";
import { ConversationStore } from "../../src/core/chat/conversationStore.js";
import type { HostMessage } from "../../src/protocol/webview.js";
import { engineFailure, type FakeServer } from "./fakeServer.js";
import { deepseekCacheHitTokens, deepseekReasonerModel, deepseekTestKey, startDeepseekApi } from "../fixtures/fakeServers/deepseekApi.js";
import { afterToolAnswer, chatPieces, jsonAnswer, matrixJsonSchema, reasoningPieces, sloppyJsonMarker, toolCallAsked, type WireMessage } from "../fixtures/fakeServers/scriptedModel.js";

const T = 15_000;
const servers: FakeServer[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

async function deepseek(model = "deepseek-chat", key = deepseekTestKey): Promise<{ server: FakeServer; engine: HttpEngine }> {
  const server = await startDeepseekApi();
  servers.push(server);
  const engine = new HttpEngine({ baseUrl: server.url, flavor: "deepseek", model, apiKey: () => key, requestTimeoutMs: 3000, idleTimeoutMs: 3000, retry: { baseDelayMs: 10 } });
  return { server, engine };
}

const chatPosts = (server: FakeServer) => server.requests.filter((r) => r.method === "POST" && r.path.endsWith("/chat/completions"));

describe("the DeepSeek API", () => {
  it("refuses a missing key with a typed error that never shows a key", async () => {
    const { engine } = await deepseek("deepseek-chat", "sk-wrong0123456789");
    const error = await engineFailure(engine.chat({ messages: [{ role: "user", content: "hi" }], maxTokens: 8 }));
    expect(error.code).toBe("remoteAuth");
    expect(error.message).not.toContain("sk-wrong0123456789");
  }, T);

  it("JSON output: json_object with the schema in the conversation, validated here", async () => {
    const { server, engine } = await deepseek();
    const result = await engine.chat({ messages: [{ role: "user", content: "Rename x." }], jsonSchema: matrixJsonSchema, maxTokens: 64 });
    expect(JSON.parse(result.text)).toEqual(JSON.parse(jsonAnswer));
    expect(chatPosts(server)).toHaveLength(1);
    expect(chatPosts(server)[0]!.body!.response_format).toEqual({ type: "json_object" });
  }, T);

  it("JSON output: an answer that breaks the schema gets one repair round with the validator's complaint", async () => {
    const { server, engine } = await deepseek();
    const result = await engine.chat({ messages: [{ role: "user", content: `Rename x, ${sloppyJsonMarker}.` }], jsonSchema: matrixJsonSchema, maxTokens: 64 });
    expect(JSON.parse(result.text)).toEqual(JSON.parse(jsonAnswer));
    const [first, repair] = chatPosts(server);
    expect(chatPosts(server)).toHaveLength(2);
    const messages = repair!.body!.messages as { role: string; content: string }[];
    expect(messages.length).toBe((first!.body!.messages as unknown[]).length + 2);
    expect(messages.at(-2)).toEqual({ role: "assistant", content: '{"summary": 42}' });
    expect(messages.at(-1)!.content).toMatch(/not valid for the JSON schema: .*summary/);
  }, T);

  it("the reasoner: reasoning streams apart from the answer, shows collapsed, and an answer's is not sent back", async () => {
    const { server, engine } = await deepseek(deepseekReasonerModel);
    const { chat, posted } = chatSession(engine, { tools: false });
    await chat.send("hi");
    const reasoning = posted.filter((m) => m.type === "reasoning").map((m) => (m as { text: string }).text);
    expect(reasoning).toEqual(reasoningPieces);
    const answerText = posted.filter((m) => m.type === "chunk").map((m) => (m as { text: string }).text).join("");
    expect(answerText).toBe(chatPieces.join(""));
    const answer = chat.state.conversation.entries.at(-1)!;
    expect(answer).toMatchObject({ role: "assistant", content: chatPieces.join(""), reasoning: reasoningPieces.join("") });
    // The context-cache figures reach the chat metrics.
    expect(answer.metrics?.serverCache?.hitTokens).toBe(deepseekCacheHitTokens);
    expect(answer.metrics?.evaluatedTokens).toBe(answer.metrics?.serverCache?.missTokens);
    // The next turn: an answer's thinking is not in the history (the API would ignore it: tokens for nothing).
    await chat.send("and now?");
    expect(chat.state.conversation.entries.at(-1)).toMatchObject({ role: "assistant", content: chatPieces.join("") });
    const sent = JSON.stringify(chatPosts(server).at(-1)!.body!.messages);
    expect(sent).not.toContain("reasoning_content");
    expect(sent).not.toContain(reasoningPieces[1]);
  }, T);

  it("the reasoner with tools: the thinking behind a tool call goes back with it in every later request, as thinking mode requires", async () => {
    const { server, engine } = await deepseek(deepseekReasonerModel);
    const workspace = tempFolder();
    writeFileSync(path.join(workspace, "a.ts"), "export const a = 1;\n");
    const { chat, posted } = chatSession(engine, { tools: true }, [workspace]);
    await chat.send("what is in a.ts?");
    expect(posted.filter((m) => m.type === "error")).toEqual([]);
    await chat.send("and now?");
    expect(posted.filter((m) => m.type === "error")).toEqual([]);
    const entries = chat.state.conversation.entries;
    expect(entries.map((e) => e.role)).toEqual(["user", "assistant", "tool", "assistant", "user", "assistant"]);
    expect(entries[1]).toMatchObject({ toolCalls: [{ name: toolCallAsked.name }], reasoning: reasoningPieces.join("") });
    expect(entries.at(-1)).toMatchObject({ content: afterToolAnswer });
    // The step after the tool ran, and the next user turn: the call's thinking is there both times.
    const requests = chatPosts(server).map((r) => r.body!.messages as WireMessage[]);
    expect(requests).toHaveLength(3);
    for (const messages of requests.slice(1)) {
      const call = messages.find((m) => m.role === "assistant" && m.tool_calls?.length);
      expect(call?.reasoning_content).toBe(reasoningPieces.join(""));
    }
    // The answer between the two user turns made no call: its thinking stays out.
    const answers = requests[2]!.filter((m) => m.role === "assistant" && !m.tool_calls?.length);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.reasoning_content).toBeUndefined();
  }, T);

  it("thinking mode refuses a tool call sent back without its thinking, in the API's words", async () => {
    const { engine } = await deepseek(deepseekReasonerModel);
    const call = { id: "call_1", ...toolCallAsked };
    const error = await engineFailure(
      engine.chat({
        messages: [
          { role: "user", content: "what is in a.ts?" },
          { role: "assistant", content: "", toolCalls: [call] },
          { role: "tool", content: "hi", toolCallId: call.id },
        ],
        maxTokens: 32,
      }),
    );
    expect(error.message).toMatch(/Missing `reasoning_content` field in the assistant message at message index 1/);
  }, T);
});

function tempFolder(): string {
  return folders[folders.push(mkdtempSync(path.join(os.tmpdir(), "deepseek-chat-"))) - 1]!;
}

function chatSession(engine: HttpEngine, settings: { tools: boolean }, workspaceFolders: string[] = []): { chat: ChatSession; posted: HostMessage[] } {
  const posted: HostMessage[] = [];
  const chat = new ChatSession({
    engine,
    store: new ConversationStore(tempFolder()),
    settings: () => ({ systemPrompt: "Be brief.", maxTokens: 256, ...settings }),
    workspaceFolders: () => workspaceFolders,
    currentId: { get: () => undefined, set: async () => undefined },
    post: (message) => posted.push(message),
    log: () => undefined,
  });
  return { chat, posted };
}
