// Every feature through HttpEngine against one fake per server kind (issue 20, goal 3): each fake
// follows its server's documented endpoints, request and stream shapes and refusals
// (test/fixtures/fakeServers/), so a request a real server would refuse fails here too. The real
// llama-server runs the same features in http-llama-server.test.ts.
import { afterEach, describe, expect, it } from "vitest";
import { HttpEngine, type HttpEngineOptions } from "../../src/backends/http/httpEngine.js";
import { runChatTurn } from "../../src/core/chat/chatTurn.js";
import type { ToolCall } from "../../src/core/engine/chatEngine.js";
import { capabilityReport } from "../../src/core/remote/capabilityReport.js";
import type { ServerFlavor } from "../../src/core/remote/serverFlavor.js";
import { defaultContextSize, ollamaDefaultContextSize } from "../../src/core/remote/modelContext.js";
import { engineFailure, type FakeServer } from "./fakeServer.js";
import { deepseekReasonerModel, deepseekTestKey, startDeepseekApi } from "../fixtures/fakeServers/deepseekApi.js";
import { startLlamaServer } from "../fixtures/fakeServers/llamaServer.js";
import { lmStudioLoadedContext, startLmStudio } from "../fixtures/fakeServers/lmStudio.js";
import { startOllama } from "../fixtures/fakeServers/ollama.js";
import { startOpenAiCompatible } from "../fixtures/fakeServers/openAiCompatible.js";
import { startSglang } from "../fixtures/fakeServers/sglang.js";
import { startVllm } from "../fixtures/fakeServers/vllm.js";
import { afterToolAnswer, chatPieces, endlessMarker, fimAnswer, jsonAnswer, matrixJsonSchema, toolCallAsked } from "../fixtures/fakeServers/scriptedModel.js";

const T = 15_000;

interface ServerKind {
  flavor: ServerFlavor;
  start: () => Promise<FakeServer>;
  /** What a user sets beyond the URL (the DeepSeek API is recognised by its host, which a fake cannot have). */
  options?: Partial<HttpEngineOptions>;
  contextSize: number;
  fimPath: string;
  /** Where a continued assistant prefix goes, and how the body marks it. */
  prefixPath: string;
  prefixMark: (body: Record<string, unknown>) => unknown;
  tools: "native" | "emulated";
}

const lastMessage = (body: Record<string, unknown>) => (body.messages as { role: string; content: string; prefix?: boolean }[]).at(-1);

const kinds: ServerKind[] = [
  { flavor: "llama-server", start: () => startLlamaServer(), contextSize: 4096, fimPath: "/infill", prefixPath: "/v1/chat/completions", prefixMark: (b) => lastMessage(b)?.role, tools: "native" },
  { flavor: "vllm", start: startVllm, contextSize: 8192, fimPath: "/v1/completions", prefixPath: "/v1/chat/completions", prefixMark: (b) => b.continue_final_message, tools: "native" },
  { flavor: "sglang", start: startSglang, contextSize: 131_072, fimPath: "/v1/completions", prefixPath: "/v1/chat/completions", prefixMark: (b) => b.continue_final_message, tools: "native" },
  {
    flavor: "deepseek",
    start: startDeepseekApi,
    options: { flavor: "deepseek", model: "deepseek-chat", apiKey: () => deepseekTestKey },
    contextSize: 65_536,
    fimPath: "/beta/completions",
    prefixPath: "/beta/chat/completions",
    prefixMark: (b) => lastMessage(b)?.prefix,
    tools: "native",
  },
  // DeepSeek-Coder-V2 as Ollama's library serves it: its template can insert but not call tools.
  { flavor: "ollama", start: () => startOllama(), contextSize: ollamaDefaultContextSize, fimPath: "/api/generate", prefixPath: "/v1/chat/completions", prefixMark: (b) => lastMessage(b)?.role, tools: "emulated" },
  { flavor: "lmstudio", start: startLmStudio, contextSize: lmStudioLoadedContext, fimPath: "/v1/completions", prefixPath: "/v1/chat/completions", prefixMark: (b) => lastMessage(b)?.role, tools: "native" },
  { flavor: "openai", start: startOpenAiCompatible, contextSize: defaultContextSize, fimPath: "/v1/completions", prefixPath: "/v1/chat/completions", prefixMark: (b) => lastMessage(b)?.role, tools: "native" },
];

// The DeepSeek API in thinking mode, for chat (it serves no FIM there): reasoning streams first, and
// a tool call must go back with its reasoning_content.
const deepseekReasoner: ServerKind = { ...kinds[3]!, options: { ...kinds[3]!.options, model: deepseekReasonerModel } };
const chatKinds = [...kinds.map((kind) => ({ name: kind.flavor, kind })), { name: "deepseek-reasoner (thinking mode)", kind: deepseekReasoner }];

const expectedPrefixMark: Record<ServerFlavor, unknown> = {
  "llama-server": "assistant",
  vllm: true,
  sglang: true,
  deepseek: true,
  ollama: "assistant",
  lmstudio: "assistant",
  openai: "assistant",
};

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function connect(kind: ServerKind): Promise<{ server: FakeServer; engine: HttpEngine }> {
  const server = await kind.start();
  servers.push(server);
  const engine = new HttpEngine({ baseUrl: server.url, requestTimeoutMs: 3000, idleTimeoutMs: 3000, retry: { baseDelayMs: 10 }, ...kind.options });
  return { server, engine };
}

const posts = (server: FakeServer) => server.requests.filter((r) => r.method === "POST" && r.path !== "/tokenize" && r.path !== "/api/show");
const readFile = { name: toolCallAsked.name, description: "Reads a workspace file.", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } };
const hi = [{ role: "user" as const, content: "hi" }];

describe.each(kinds)("$flavor", (kind) => {
  it("is recognised, with a context size from the server, the table or the default", async () => {
    const { engine } = await connect(kind);
    expect(await engine.flavor()).toBe(kind.flavor);
    expect((await engine.modelInfo()).contextSize).toBe(kind.contextSize);
    // Test Remote Connection's report says how tools are served.
    const tools = capabilityReport(await engine.serverFacts()).find((line) => line.feature === "tools")!;
    expect(tools.support).toBe(kind.tools === "native" ? "native" : "instead");
  }, T);

  it("ghost text: fills in the middle through the server's FIM route", async () => {
    const { server, engine } = await connect(kind);
    const pieces: string[] = [];
    const result = await engine.infill({ prefix: "function add(a, b) {\n  return ", suffix: ";\n}\n", maxTokens: 16 }, { onText: (t) => pieces.push(t) });
    expect(result).toMatchObject({ text: fimAnswer, stopReason: "eos" });
    expect(pieces.join("")).toBe(fimAnswer);
    expect(posts(server).at(-1)!.path).toBe(kind.fimPath);
    // The warm-up asks for nothing and is answered with nothing.
    await engine.warmUp({ prefix: "p", suffix: "s" });
    expect(posts(server).at(-1)!.path).toBe(kind.fimPath);
  }, T);
});

describe.each(chatKinds)("$name: chat", ({ kind }) => {
  it("chat: streams the answer piece by piece, with usage", async () => {
    const { engine } = await connect(kind);
    const pieces: string[] = [];
    const result = await engine.chat({ messages: hi, maxTokens: 32 }, { onText: (t) => pieces.push(t) });
    expect(result.text).toBe(chatPieces.join(""));
    expect(pieces.length).toBeGreaterThan(1);
    expect(result.metrics.promptTokens).toBeGreaterThan(0);
  }, T);

  it("Stop: aborting closes the connection, so the server stops generating", async () => {
    const { server, engine } = await connect(kind);
    const stop = new AbortController();
    const answer = engine.chat({ messages: [{ role: "user", content: endlessMarker }], maxTokens: 4096 }, { signal: stop.signal, onText: () => stop.abort() });
    expect((await engineFailure(answer)).code).toBe("cancelled");
    await server.clientClosed("/v1/chat/completions");
  }, T);

  it("prefix continuation: the answer continues the assistant's text, marked as this server expects", async () => {
    const { server, engine } = await connect(kind);
    const result = await engine.chat({ messages: hi, assistantPrefix: "Sure,", maxTokens: 16 });
    expect(result.text).toBe(" continued.");
    const sent = posts(server).at(-1)!;
    expect(sent.path).toBe(kind.prefixPath);
    expect(kind.prefixMark(sent.body!)).toBe(expectedPrefixMark[kind.flavor]);
  }, T);

  it(`tools: a call and its result round-trip (${kind.tools})`, async () => {
    const { server, engine } = await connect(kind);
    const calls: ToolCall[] = [];
    const tools = { definitions: [readFile], run: async () => ({ ok: true, content: "hi" }) };
    const events = { onText: () => undefined, onToolCall: (call: ToolCall) => calls.push(call), onToolResult: () => undefined };
    const outcome = await runChatTurn(engine, { messages: [{ role: "user", content: "what is in a.ts?" }], tools, maxTokens: 64 }, events);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: toolCallAsked.name });
    expect(JSON.parse(calls[0]!.arguments)).toEqual(JSON.parse(toolCallAsked.arguments));
    const sentTools = posts(server)[0]!.body!.tools;
    expect(sentTools === undefined).toBe(kind.tools === "emulated");
    expect(outcome.answer.toolCalls ?? []).toHaveLength(0);
    expect(outcome.answer.text).toBe(afterToolAnswer);
  }, T);

  it("JSON refactor answer: valid for the action's schema", async () => {
    const { engine } = await connect(kind);
    const result = await engine.chat({ messages: [{ role: "user", content: "Rename x to count." }], jsonSchema: matrixJsonSchema, maxTokens: 64 });
    expect(JSON.parse(result.text)).toEqual(JSON.parse(jsonAnswer));
  }, T);
});

describe("each server's refusals reach the user as typed errors in the server's words", () => {
  const connectTo = async (start: () => Promise<FakeServer>, options: Partial<HttpEngineOptions> = {}) => {
    const server = await start();
    servers.push(server);
    return { server, engine: new HttpEngine({ baseUrl: server.url, requestTimeoutMs: 3000, idleTimeoutMs: 3000, retry: { baseDelayMs: 10 }, ...options }) };
  };

  it("llama-server: a prompt over its context", async () => {
    const { engine } = await connectTo(() => startLlamaServer());
    const error = await engineFailure(engine.chat({ messages: [{ role: "user", content: "x".repeat(20_000) }], maxTokens: 8 }));
    expect(error.code).toBe("contextOverflow");
    expect(error.message).toMatch(/exceeds the available context size/);
  }, T);

  it("vLLM: a model it does not serve, and a suffix it does not take", async () => {
    const { engine } = await connectTo(startVllm, { model: "not-served" });
    const missing = await engineFailure(engine.chat({ messages: hi, maxTokens: 8 }));
    expect(missing.code).toBe("remoteNotFound");
    expect(missing.message).toMatch(/does not exist/);
    const { engine: forced } = await connectTo(startVllm, { fim: "suffix" });
    const suffix = await engineFailure(forced.infill({ prefix: "a", suffix: "b", maxTokens: 4 }));
    expect(suffix.code).toBe("invalidRequest");
    expect(suffix.message).toMatch(/suffix is not currently supported/);
  }, T);

  it("Ollama: a model that is not pulled", async () => {
    const { engine } = await connectTo(() => startOllama(), { model: "deepseek-coder-v2:236b" });
    const error = await engineFailure(engine.infill({ prefix: "a", suffix: "b", maxTokens: 4 }));
    expect(error.code).toBe("remoteNotFound");
    expect(error.message).toMatch(/not found/);
  }, T);

  it("Ollama: a template that cannot insert is found out once, then FIM goes as a raw prompt", async () => {
    const { server, engine } = await connectTo(() => startOllama({ capabilities: ["completion"], listsCapabilities: false }));
    const generates = () => server.requests.filter((r) => r.path === "/api/generate").map((r) => r.body!);
    expect((await engine.infill({ prefix: "a", suffix: "b", maxTokens: 4 })).text).toBe(fimAnswer);
    expect(generates().map((body) => body.raw ?? false)).toEqual([false, true]);
    expect((await engine.infill({ prefix: "a", suffix: "b", maxTokens: 4 })).text).toBe(fimAnswer);
    expect(generates().map((body) => body.raw ?? false)).toEqual([false, true, true]);
    expect(generates()[2]!.prompt).toBe("<｜fim▁begin｜>a<｜fim▁hole｜>b<｜fim▁end｜>");
    expect(capabilityReport(await engine.serverFacts()).find((line) => line.feature === "ghost text")?.support).toBe("instead");
  }, T);

  it("LM Studio: an unknown route's 200-with-error is not taken for an answer", async () => {
    const { engine } = await connectTo(startLmStudio, { fim: "infill" });
    const error = await engineFailure(engine.infill({ prefix: "a", suffix: "b", maxTokens: 4 }));
    expect(error.code).toBe("remoteBadResponse");
  }, T);
});
