// One vscode.lm request against a scripted engine (core/languageModel/lmResponse.ts); the real
// engine answers the same requests in the code-server API test (test/e2e/api/languageModel.api.ts).
import { describe, expect, it } from "vitest";
import { answerLmRequest, LmRequestError, type LmRequest } from "../../../src/core/languageModel/lmResponse.js";
import { EngineError } from "../../../src/protocol/engine.js";
import { scriptedEngine } from "../chat/scriptedEngine.js";

const ask = (text: string, extra: Partial<LmRequest> = {}): LmRequest => ({ messages: [{ role: "user", parts: [{ kind: "text", text }] }], maxTokens: 64, grammarSafeTools: true, ...extra });

function sink() {
  const parts: string[] = [];
  return { parts, text: (chunk: string) => parts.push(`text:${chunk}`), toolCall: (call: { name: string; input: object }) => parts.push(`call:${call.name} ${JSON.stringify(call.input)}`) };
}

describe("answerLmRequest", () => {
  it("streams the answer's text as it is generated", async () => {
    const { engine, requests } = scriptedEngine([{ chunks: ["Hel", "lo"] }]);
    const out = sink();
    const result = await answerLmRequest(engine, ask("hi", { temperature: 0.3 }), out);
    expect(out.parts).toEqual(["text:Hel", "text:lo"]);
    expect(result?.stopReason).toBe("eos");
    expect(requests[0]).toMatchObject({ messages: [{ role: "user", content: "hi" }], maxTokens: 64, temperature: 0.3, sequence: "chat" });
    expect(requests[0]!.tools).toBeUndefined();
  });

  it("offers the caller's tools and reports the model's calls as tool-call parts", async () => {
    const { engine, requests } = scriptedEngine([{ toolCalls: [{ id: "c1", name: "search", arguments: '{"q":"x"}' }, { id: "c2", name: "search", arguments: "[]" }] }]);
    const out = sink();
    await answerLmRequest(engine, ask("find x", { tools: [{ name: "search", description: "Search", inputSchema: { type: "object", properties: { q: { type: "string", pattern: "." } } } }] }), out);
    expect(requests[0]!.tools).toEqual([{ name: "search", description: "Search", parameters: { type: "object", properties: { q: { type: "string" } }, additionalProperties: false } }]);
    expect(out.parts[0]).toBe('call:search {"q":"x"}');
    expect(out.parts[1]).toMatch(/^text:.*search.*not a JSON object/);
  });

  it("ends at once and quietly when cancelled", async () => {
    const { engine } = scriptedEngine([{ chunks: ["a"], untilAborted: true }]);
    const controller = new AbortController();
    const out = sink();
    // Stop arrives while the answer is being generated, after its first chunk.
    const answered = answerLmRequest(engine, ask("long story"), { ...out, text: (chunk) => (out.text(chunk), setTimeout(() => controller.abort(), 5)) }, controller.signal);
    await expect(answered).resolves.toMatchObject({ stopReason: "aborted" });
    expect(out.parts).toEqual(["text:a"]);
  });

  it("reports a cancelled request that the engine refused as ended, not as an error", async () => {
    const controller = new AbortController();
    controller.abort();
    const { engine } = scriptedEngine([{ chunks: [] }]);
    await expect(answerLmRequest(engine, ask("q"), sink(), controller.signal)).resolves.toBeUndefined();
  });

  it("turns an engine failure into one message the caller can show", async () => {
    const { engine } = scriptedEngine([]);
    engine.chat = async () => {
      throw new EngineError("contextOverflow", "The prompt is longer than the context (8192 tokens).");
    };
    const failed = answerLmRequest(engine, ask("q"), sink());
    await expect(failed).rejects.toBeInstanceOf(LmRequestError);
    await expect(failed).rejects.toMatchObject({ code: "contextOverflow", message: "DeepSeek Local: The prompt is longer than the context (8192 tokens)." });
    engine.chat = async () => {
      throw new TypeError("boom");
    };
    await expect(answerLmRequest(engine, ask("q"), sink())).rejects.toMatchObject({ code: "internal", message: "DeepSeek Local: the request failed: boom" });
  });

  it("refuses a request with no message to answer", async () => {
    const { engine, requests } = scriptedEngine([{ chunks: ["x"] }]);
    await expect(answerLmRequest(engine, { messages: [{ role: "system", parts: [{ kind: "text", text: "rules" }] }], maxTokens: 8, grammarSafeTools: false }, sink())).rejects.toMatchObject({ code: "invalidRequest" });
    expect(requests).toEqual([]);
  });

  it("in required mode asks for one call under a schema without a way out, and reports it", async () => {
    const { engine, requests } = scriptedEngine([{ chunks: ['{"tool":"search","arguments":{"q":"x"}}'] }]);
    const out = sink();
    const history: LmRequest["messages"] = [
      { role: "user", parts: [{ kind: "text", text: "find x" }] },
      { role: "assistant", parts: [{ kind: "toolCall", callId: "c0", name: "search", input: { q: "w" } }] },
      { role: "user", parts: [{ kind: "toolResult", callId: "c0", content: "nothing" }] },
    ];
    const result = await answerLmRequest(engine, { messages: history, tools: [searchTool], toolMode: "required", maxTokens: 64, grammarSafeTools: true }, out);
    expect(result).toBeUndefined();
    expect(out.parts).toEqual(['call:search {"q":"x"}']);
    expect(requests).toHaveLength(1);
    const schema = requests[0]!.jsonSchema as { oneOf: { properties: { tool: unknown } }[] };
    expect(schema.oneOf.map((option) => option.properties.tool)).toEqual([{ const: "search" }]);
    expect(requests[0]!.tools).toBeUndefined();
    // Every backend takes the step: the earlier call and its result as plain text, the instructions as a system message.
    expect(requests[0]!.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(requests[0]!.messages[0]!.content).toContain("Call one of these tools now");
    expect(requests[0]!.messages[2]!.content).toBe('{"tool":"search","arguments":{"q":"w"}}');
    expect(requests[0]!.messages[3]!.content).toBe("Tool result (c0):\nnothing");
  });

  it("in required mode, a call object that does not validate leaves the model to answer or pick a tool as usual", async () => {
    const { engine, requests } = scriptedEngine([{ chunks: ['{"tool":"search","arguments":{"q":3}}'] }, { chunks: ["An answer."] }]);
    const out = sink();
    await answerLmRequest(engine, ask("find x", { tools: [searchTool], toolMode: "required" }), out);
    expect(out.parts).toEqual(["text:An answer."]);
    expect(requests.map((r) => [!!r.jsonSchema, r.tools?.map((t) => t.name)])).toEqual([
      [true, undefined],
      [false, ["search"]],
    ]);
  });
});

const searchTool = { name: "search", description: "Search", inputSchema: { type: "object", properties: { q: { type: "string" } }, required: ["q"] } };
