// The HTTP backend against a local test server, for what a real llama-server does not do on demand:
// other flavors' FIM, rate limits, dropped and malformed streams, wrong JSON answers, timeouts.
// Each case ends in a correct result or a typed error — and nothing hangs (short test timeouts).
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { HttpEngine, type HttpEngineOptions } from "../../src/backends/http/httpEngine.js";
import { ChatSession } from "../../src/core/chat/chatSession.js";
import { messageOverheadTokens } from "../../src/core/chat/contextWindow.js";
import { ConversationStore } from "../../src/core/chat/conversationStore.js";
import { estimateTokens } from "../../src/core/chat/tokenEstimate.js";
import { defaultContextSize } from "../../src/core/remote/modelContext.js";
import type { HostMessage } from "../../src/protocol/webview.js";
import { chatChunk, engineFailure, modelsRoute, sendEvent, sendJson, sendSse, startFakeServer, startSse, textChunk, type FakeServer, type Route } from "./fakeServer.js";

const T = 15_000; // no case may take long: a hang fails here, not at the suite's two minutes
const servers: FakeServer[] = [];

const chatFolders: string[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(chatFolders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

async function serve(routes: Record<string, Route>): Promise<FakeServer> {
  const server = await startFakeServer(routes);
  servers.push(server);
  return server;
}

function engineFor(server: FakeServer, options: Partial<HttpEngineOptions> = {}): HttpEngine {
  return new HttpEngine({ baseUrl: server.url, flavor: "openai", model: "m", requestTimeoutMs: 3000, idleTimeoutMs: 3000, retry: { baseDelayMs: 10 }, ...options });
}

const failure = engineFailure;

/** Generation requests the server saw (the flavor probe's GETs are not counted). */
const posts = (server: FakeServer) => server.requests.filter((r) => r.method === "POST");

const chatOk: Route = (_req, res) => sendSse(res, [chatChunk("Hello"), chatChunk(" world"), chatChunk(null, "stop")]);
const hi = { messages: [{ role: "user" as const, content: "hi" }], maxTokens: 16 };

describe("FIM on servers without /infill", () => {
  it("sends prompt + suffix to DeepSeek's /beta/completions and streams the middle back", async () => {
    const server = await serve({
      "POST /beta/completions": (_req, res) => sendSse(res, [textChunk("a + "), textChunk("b"), textChunk("", "stop")]),
    });
    const engine = engineFor(server, { flavor: "deepseek", model: "deepseek-chat", apiKey: () => "sk-test0123456789" });
    const pieces: string[] = [];
    const result = await engine.infill(
      { prefix: "function add(a, b) {\n  return ", suffix: ";\n}\n", extraContext: [{ filename: "x.ts", text: "const y = 1;" }], maxTokens: 20 },
      { onText: (t) => pieces.push(t) },
    );
    expect(result).toMatchObject({ text: "a + b", stopReason: "eos" });
    expect(pieces.join("")).toBe("a + b");
    const sent = server.requests.at(-1)!;
    expect(sent.headers.authorization).toBe("Bearer sk-test0123456789");
    expect(sent.body).toMatchObject({
      model: "deepseek-chat",
      prompt: "// x.ts\nconst y = 1;\n\nfunction add(a, b) {\n  return ",
      suffix: ";\n}\n",
      max_tokens: 20,
      stream: true,
    });
  }, T);

  it("detects vLLM and writes the DeepSeek FIM tokens into the prompt (vLLM has no suffix)", async () => {
    const server = await serve({
      "GET /v1/models": modelsRoute("vllm", "deepseek-ai/DeepSeek-Coder-V2-Lite-Base"),
      "POST /v1/completions": (_req, res) => sendSse(res, [textChunk("x", "length")]),
    });
    const engine = engineFor(server, { flavor: "auto", model: undefined });
    expect(await engine.flavor()).toBe("vllm");
    const result = await engine.infill({ prefix: "p", suffix: "s", maxTokens: 1 });
    expect(result).toMatchObject({ text: "x", stopReason: "maxTokens" });
    const body = server.requests.at(-1)!.body!;
    expect(body).toMatchObject({ model: "deepseek-ai/DeepSeek-Coder-V2-Lite-Base", prompt: "<｜fim▁begin｜>p<｜fim▁hole｜>s<｜fim▁end｜>" });
    expect(body.suffix).toBeUndefined();
  }, T);

  it("holds back stop strings the server did not apply, and stops the request there", async () => {
    const server = await serve({
      "POST /v1/completions": (_req, res) => sendSse(res, [textChunk("one\n"), textChunk("\ntwo"), textChunk("", "stop")]),
    });
    const shown: string[] = [];
    const result = await engineFor(server, { fim: "suffix" }).infill({ prefix: "", suffix: "", maxTokens: 9, stopStrings: ["\n\n"] }, { onText: (t) => shown.push(t) });
    expect(result).toMatchObject({ text: "one", stopReason: "stopString" });
    expect(shown.join("")).toBe("one");
  }, T);
});

describe("HTTP failures", () => {
  it("waits out a 429 with a short Retry-After, then answers", async () => {
    let calls = 0;
    const server = await serve({
      "POST /v1/chat/completions": (req, res) => {
        calls++;
        if (calls === 1) return sendJson(res, 429, { error: { message: "slow down" } }, { "retry-after": "1" });
        return chatOk(req, res, undefined as never);
      },
    });
    const started = Date.now();
    const result = await engineFor(server).chat(hi);
    expect(result.text).toBe("Hello world");
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // Retry-After: 1 was honoured
  }, T);

  it("fails at once on a 429 whose Retry-After is too long, saying when to try again", async () => {
    const server = await serve({ "POST /v1/chat/completions": (_req, res) => sendJson(res, 429, { error: { message: "quota" } }, { "retry-after": "120" }) });
    const error = await failure(engineFor(server).chat(hi));
    expect(error.code).toBe("remoteRateLimited");
    expect(error.message).toMatch(/120 s/);
    expect(posts(server)).toHaveLength(1);
  }, T);

  it("reports 401 without ever showing the key, and does not retry it", async () => {
    const key = "team-key-abcdef0123456789";
    const server = await serve({
      "POST /v1/chat/completions": (_req, res) => sendJson(res, 401, { error: { message: `Invalid key ${key} (Bearer ${key})` } }),
    });
    const error = await failure(engineFor(server, { apiKey: async () => key }).chat(hi));
    expect(error.code).toBe("remoteAuth");
    expect(error.message).not.toContain(key);
    expect(error.message).toMatch(/API Key/);
    expect(posts(server)).toHaveLength(1);
  }, T);

  it("maps 404, 403 and 500 to typed errors without retrying; retries a 503", async () => {
    const statusServer = (status: number) => serve({ "POST /v1/chat/completions": (_req, res) => sendJson(res, status, { error: { message: `status ${status}` } }) });
    for (const [status, code] of [
      [404, "remoteNotFound"],
      [403, "remoteAuth"],
      [500, "remoteServerError"],
    ] as const) {
      const server = await statusServer(status);
      expect((await failure(engineFor(server).chat(hi))).code).toBe(code);
      expect(posts(server)).toHaveLength(1);
    }
    const busy = await statusServer(503);
    expect((await failure(engineFor(busy, { retry: { maxRetries: 2, baseDelayMs: 10 } }).chat(hi))).code).toBe("remoteServerError");
    expect(posts(busy)).toHaveLength(3);
  }, T);

  it("says the server cannot be reached when nothing listens", async () => {
    const server = await serve({});
    const url = server.url;
    await server.close();
    servers.length = 0;
    const error = await failure(new HttpEngine({ baseUrl: url, flavor: "openai", model: "m", retry: { maxRetries: 1, baseDelayMs: 10 } }).chat(hi));
    expect(error.code).toBe("engineUnavailable");
    expect(error.message).toMatch(/Cannot reach/);
  }, T);
});

describe("broken streams", () => {
  it("reports a connection dropped mid-answer", async () => {
    const server = await serve({
      "POST /v1/chat/completions": (_req, res) => {
        startSse(res);
        sendEvent(res, chatChunk("partial "));
        setTimeout(() => res.socket?.destroy(), 50);
      },
    });
    const shown: string[] = [];
    const error = await failure(engineFor(server).chat(hi, { onText: (t) => shown.push(t) }));
    expect(error.code).toBe("remoteStreamDropped");
    expect(shown.join("")).toBe("partial ");
  }, T);

  it("reports a stream that ends cleanly but without a finish reason", async () => {
    const server = await serve({ "POST /v1/chat/completions": (_req, res) => sendSse(res, [chatChunk("cut")], { done: false }) });
    const error = await failure(engineFor(server).chat(hi));
    expect(error.code).toBe("remoteStreamDropped");
    expect(error.message).toMatch(/stopped mid-way/);
  }, T);

  it("reports malformed SSE payloads and chunks of the wrong shape", async () => {
    const notJson = await serve({ "POST /v1/chat/completions": (_req, res) => sendSse(res, [chatChunk("a"), "{not json"]) });
    const error = await failure(engineFor(notJson).chat(hi));
    expect(error.code).toBe("remoteBadResponse");
    expect(error.message).toMatch(/malformed event/);
    const wrongShape = await serve({ "POST /v1/chat/completions": (_req, res) => sendSse(res, [{ choices: "x" }]) });
    expect((await failure(engineFor(wrongShape).chat(hi))).code).toBe("remoteBadResponse");
    const html = await serve({ "POST /v1/chat/completions": (_req, res) => void res.writeHead(200, { "content-type": "text/html" }).end("<h1>proxy</h1>") });
    expect((await failure(engineFor(html).chat(hi))).message).toMatch(/instead of an event stream/);
  }, T);

  it("reports an error event sent in the middle of a stream", async () => {
    const server = await serve({
      "POST /v1/chat/completions": (_req, res) => sendSse(res, [chatChunk("a"), { error: { code: 500, message: "KV cache full" } }]),
    });
    const error = await failure(engineFor(server).chat(hi));
    expect(error.code).toBe("remoteServerError");
    expect(error.message).toMatch(/KV cache full/);
  }, T);

  it("times out when the server does not answer, and when a stream goes silent", async () => {
    const silent = await serve({ "POST /v1/chat/completions": () => undefined });
    const error = await failure(engineFor(silent, { requestTimeoutMs: 300, retry: { maxRetries: 0 } }).chat(hi));
    expect(error.code).toBe("remoteTimeout");
    expect(error.message).toMatch(/deepseekLocal\.remote\.timeoutMs/);
    const stalled = await serve({
      "POST /v1/chat/completions": (_req, res) => {
        startSse(res);
        sendEvent(res, chatChunk("a"));
      },
    });
    const idle = await failure(engineFor(stalled, { idleTimeoutMs: 300 }).chat(hi));
    expect(idle.code).toBe("remoteTimeout");
    expect(idle.message).toMatch(/went silent/);
  }, T);

  it("cancels by closing the connection, and returns partial text at the generation cap", async () => {
    const endless: Route = (_req, res) => {
      startSse(res);
      const timer = setInterval(() => sendEvent(res, chatChunk("x")), 20);
      res.on("close", () => clearInterval(timer));
    };
    const server = await serve({ "POST /v1/chat/completions": endless });
    const controller = new AbortController();
    const pending = engineFor(server).chat(hi, { signal: controller.signal, onText: () => controller.abort() });
    expect((await failure(pending)).code).toBe("cancelled");
    await server.clientClosed("/v1/chat/completions");
    const capped = await engineFor(server).chat({ ...hi, timeoutMs: 200 });
    expect(capped.stopReason).toBe("timeout");
    expect(capped.text).toMatch(/^x+$/);
  }, T);
});

describe("JSON answers", () => {
  const schema = { type: "object", properties: { name: { type: "string", maxLength: 10 } }, required: ["name"], additionalProperties: false };

  it("rejects a non-JSON answer in JSON mode with a typed error", async () => {
    const server = await serve({ "POST /v1/chat/completions": (_req, res) => sendSse(res, [chatChunk("Sure! The name is Bob."), chatChunk(null, "stop")]) });
    const error = await failure(engineFor(server).chat({ ...hi, jsonSchema: schema }));
    expect(error.code).toBe("invalidJsonAnswer");
    expect(error.message).toMatch(/not valid JSON/);
    expect(server.requests.at(-1)!.body!.response_format).toMatchObject({ type: "json_schema" });
  }, T);

  it("rejects JSON that breaks the schema", async () => {
    const server = await serve({ "POST /v1/chat/completions": (_req, res) => sendSse(res, [chatChunk('{"name": 42}'), chatChunk(null, "stop")]) });
    expect((await failure(engineFor(server).chat({ ...hi, jsonSchema: schema }))).code).toBe("invalidJsonAnswer");
  }, T);

  it("uses json_object plus the schema in the prompt on the DeepSeek API, and ends at the closing brace", async () => {
    const server = await serve({
      "POST /v1/chat/completions": (_req, res) => sendSse(res, [chatChunk('```json\n{"name": '), chatChunk('"Bob"}\n```\n\n\n'), chatChunk(null, "stop")]),
    });
    const result = await engineFor(server, { flavor: "deepseek" }).chat({ ...hi, jsonSchema: schema });
    expect(JSON.parse(result.text)).toEqual({ name: "Bob" });
    const body = server.requests.at(-1)!.body!;
    expect(body.response_format).toEqual({ type: "json_object" });
    expect(JSON.stringify(body.messages)).toContain("JSON Schema");
  }, T);
});

describe("tool calls and unsupported operations", () => {
  it("assembles streamed tool calls", async () => {
    const server = await serve({
      "POST /v1/chat/completions": (_req, res) =>
        sendSse(res, [
          { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "read_file", arguments: '{"pa' } }] } }] },
          { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: 'th":"a.ts"}' } }] } }] },
          { choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
        ]),
    });
    const result = await engineFor(server).chat({ ...hi, tools: [{ name: "read_file", description: "Reads a file", parameters: { type: "object" } }] });
    expect(result.toolCalls).toEqual([{ id: "call_1", name: "read_file", arguments: '{"path":"a.ts"}' }]);
    expect(result.stopReason).toBe("eos");
  }, T);

  it("emulates tools with the local engine's JSON tool step where the server cannot call tools", async () => {
    const steps = ['{"tool":"read_file","arguments":{"path":"a.ts"}}', '{"tool":"none"}'];
    const server = await serve({
      "POST /v1/chat/completions": (req, res) => {
        const text = req.body!.response_format ? steps.shift()! : "It exports one function.";
        sendSse(res, [chatChunk(text), chatChunk(null, "stop")]);
      },
    });
    const engine = engineFor(server, { tools: "emulated" });
    const tools = [{ name: "read_file", description: "Reads a file.", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } }];
    const first = await engine.chat({ ...hi, tools });
    expect(first.toolCalls).toEqual([{ id: expect.stringMatching(/^call_/), name: "read_file", arguments: '{"path":"a.ts"}' }]);
    const stepBody = posts(server)[0].body!;
    expect(stepBody.tools).toBeUndefined();
    expect(stepBody.response_format).toMatchObject({ type: "json_schema" });
    expect(JSON.stringify(stepBody.messages)).toContain("read_file");

    const shown: string[] = [];
    const second = await engine.chat(
      {
        ...hi,
        tools,
        messages: [...hi.messages, { role: "assistant", content: "", toolCalls: first.toolCalls }, { role: "tool", toolCallId: first.toolCalls![0].id, content: "export function f() {}" }],
      },
      { onText: (t) => shown.push(t) },
    );
    expect(second.toolCalls).toBeUndefined();
    expect(second.text).toBe("It exports one function.");
    expect(shown.join("")).toBe(second.text); // the step itself is never shown
    const answerBody = posts(server)[2].body!;
    expect(answerBody.response_format).toBeUndefined();
    // The server has no tool role: the call and its result come back as plain turns.
    expect(answerBody.messages).toEqual(
      expect.arrayContaining([
        { role: "assistant", content: '{"tool":"read_file","arguments":{"path":"a.ts"}}' },
        { role: "user", content: `Tool result (${first.toolCalls![0].id}):\nexport function f() {}` },
      ]),
    );
  }, T);

  it("says clearly that generate, prefill and tokenize need llama-server; chat works without them", async () => {
    const server = await serve({ "POST /v1/chat/completions": chatOk });
    const engine = engineFor(server, { flavor: "sglang" });
    for (const call of [
      () => engine.generate({ sequence: "chat", prompt: [{ text: "x" }], maxTokens: 1 }),
      () => engine.prefill({ sequence: "chat", prompt: [{ text: "x" }] }),
      () => engine.tokenize("x"),
    ]) {
      const error = await failure(call());
      expect(error.code).toBe("remoteUnsupported");
      expect(error.message).toMatch(/SGLang does not offer .*llama-server/);
    }
    expect(posts(server)).toHaveLength(0);
    // The chat counts its tokens on the client instead (issue 20): it used to fail on the first message.
    const { chat, posted } = chatOn(engine);
    await chat.send("Why is the sky blue?");
    expect(posted.filter((m) => m.type === "error")).toEqual([]);
    expect(chat.current.entries.at(-1)).toMatchObject({ role: "assistant", content: "Hello world", stopReason: "eos" });
  }, T);
});

/** A chat session (the one the chat view uses) on `engine`, its conversations in a temporary folder. */
function chatOn(engine: HttpEngine, maxTokens = 256) {
  const posted: HostMessage[] = [];
  const chat = new ChatSession({
    engine,
    store: new ConversationStore(chatFolders[chatFolders.push(mkdtempSync(path.join(os.tmpdir(), "fake-server-chat-"))) - 1]!),
    settings: () => ({ systemPrompt: "Be brief.", maxTokens, tools: false }),
    workspaceFolders: () => [],
    currentId: { get: () => undefined, set: async () => undefined },
    post: (message) => posted.push(message),
    log: () => undefined,
  });
  return { chat, posted };
}

const usageChunk = (promptTokens: number) => ({ object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: 2 } });

describe("chat on servers without a tokenizer (issue 20)", () => {
  const flavors = [
    { flavor: "openai", models: undefined, context: defaultContextSize },
    { flavor: "sglang", models: modelsRoute("sglang", "deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct"), context: 131_072 },
    { flavor: "deepseek", models: modelsRoute("deepseek", "deepseek-chat"), context: 65_536 },
  ] as const;

  it.each(flavors)("streams an answer from $flavor with no /tokenize and a context size that is never 0", async ({ flavor, models, context }) => {
    const server = await serve({
      ...(models ? { "GET /v1/models": models } : {}),
      "POST /v1/chat/completions": (_req, res) => sendSse(res, [chatChunk("Blue light "), chatChunk("scatters."), chatChunk(null, "stop"), usageChunk(30)]),
    });
    const engine = engineFor(server, { flavor, model: undefined, apiKey: () => "sk-test0123456789" });
    expect((await engine.modelInfo()).contextSize).toBe(context);
    const { chat, posted } = chatOn(engine);
    await chat.send("Why is the sky blue?");
    expect(posted.filter((m) => m.type === "error")).toEqual([]);
    expect(posted.filter((m) => m.type === "chunk").map((m) => (m as { text: string }).text)).toEqual(["Blue light ", "scatters."]);
    expect(chat.current.entries.map((e) => e.role)).toEqual(["user", "assistant"]);
    expect(chat.current.entries[1]).toMatchObject({ content: "Blue light scatters.", stopReason: "eos", metrics: { promptTokens: 30 } });
    expect(server.requests.filter((r) => r.path.includes("tokenize"))).toEqual([]);
    expect(posts(server)[0]!.body!.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Why is the sky blue?" },
    ]);
  }, T);

  it("raises its estimate by the usage the server reported, so a later message that would overflow is refused", async () => {
    const question = "Why is the sky blue?";
    const estimated = estimateTokens("Be brief.") + estimateTokens(question);
    const server = await serve({
      "POST /v1/chat/completions": (_req, res) =>
        // The server counted three times the estimate (e.g. a tokenizer that splits much finer).
        sendSse(res, [chatChunk("Because."), chatChunk(null, "stop"), usageChunk(3 * estimated + 2 * messageOverheadTokens)]),
    });
    const engine = engineFor(server);
    const { chat, posted } = chatOn(engine);
    await chat.send(question);
    expect(posted.filter((m) => m.type === "error")).toEqual([]);
    // ~3000 tokens by the estimate: fits the 8192 default context once, not three times over.
    const long = "lorem ".repeat(1500);
    expect(estimateTokens(long)).toBe(3000);
    await chat.send(long);
    const errors = posted.filter((m) => m.type === "error").map((m) => (m as { message: string }).message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/take about 9\d{3} tokens/);
    expect(posts(server)).toHaveLength(1);
  }, T);

  it("gives a vLLM-style server whose /v1/models has no max_model_len a positive context, and a one-line question fits", async () => {
    const server = await serve({
      "GET /v1/models": modelsRoute("vllm", "my-finetune"),
      "POST /tokenize": (req, res) => sendJson(res, 200, { tokens: String(req.body!.prompt).split(/\s+/).map((_, i) => i), count: 0, max_model_len: null }),
      "POST /v1/chat/completions": chatOk,
    });
    const engine = engineFor(server, { flavor: "auto", model: undefined });
    expect(await engine.flavor()).toBe("vllm");
    expect((await engine.modelInfo()).contextSize).toBe(defaultContextSize);
    const { chat, posted } = chatOn(engine);
    await chat.send("What does this function return?");
    expect(posted.filter((m) => m.type === "error")).toEqual([]);
    expect(chat.current.entries.at(-1)).toMatchObject({ role: "assistant", content: "Hello world" });
    expect(server.requests.some((r) => r.path === "/tokenize")).toBe(true); // vLLM's own tokenizer is still used
  }, T);
});
