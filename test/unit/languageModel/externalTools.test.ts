// Other extensions' tools in our chat (core/languageModel/externalTools.ts and ChatSession's
// externalTools option), against a scripted engine.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ToolRunner } from "../../../src/core/chat/chatTurn.js";
import { ChatSession } from "../../../src/core/chat/chatSession.js";
import { ConversationStore } from "../../../src/core/chat/conversationStore.js";
import { workspaceToolDefinitions } from "../../../src/core/chat/workspaceTools.js";
import { externalToolNames, maxExternalTools, withExternalTools } from "../../../src/core/languageModel/externalTools.js";
import { scriptedEngine, type ScriptedAnswer } from "../chat/scriptedEngine.js";

function recordingRunner(names: string[], ran: string[]): ToolRunner {
  return {
    definitions: names.map((name) => ({ name, description: `${name} tool`, parameters: { type: "object", properties: {} } })),
    run: async (call) => (ran.push(`${names.join("+")}:${call.name}`), { ok: true, content: `${call.name} done` }),
  };
}

describe("externalToolNames", () => {
  it("takes trimmed, distinct tool names and nothing else", () => {
    expect(externalToolNames([" mcp_github_search ", "mcp_github_search", "copilot.fetch", 3, "", "two words", "x".repeat(65)])).toEqual(["mcp_github_search", "copilot.fetch"]);
    expect(externalToolNames("mcp_github_search")).toEqual([]);
    expect(externalToolNames(undefined)).toEqual([]);
  });

  it("keeps at most the bounded number of tools", () => {
    const names = Array.from({ length: 40 }, (_, i) => `tool_${i}`);
    expect(externalToolNames(names)).toEqual(names.slice(0, maxExternalTools));
  });
});

describe("withExternalTools", () => {
  it("offers both sets and sends each call to the set that defines it", async () => {
    const ran: string[] = [];
    const tools = withExternalTools(recordingRunner(["read_file"], ran), recordingRunner(["search_issues"], ran));
    expect(tools.definitions.map((tool) => tool.name)).toEqual(["read_file", "search_issues"]);
    await tools.run({ id: "1", name: "search_issues", arguments: "{}" });
    await tools.run({ id: "2", name: "read_file", arguments: "{}" });
    expect(ran).toEqual(["search_issues:search_issues", "read_file:read_file"]);
  });

  it("never lets an external tool stand in for one of ours", async () => {
    const ran: string[] = [];
    const tools = withExternalTools(recordingRunner(["read_file"], ran), recordingRunner(["read_file", "other"], ran));
    expect(tools.definitions.map((tool) => tool.name)).toEqual(["read_file", "other"]);
    await tools.run({ id: "1", name: "read_file", arguments: "{}" });
    expect(ran).toEqual(["read_file:read_file"]);
  });

  it("is our set alone when no external tool is enabled", () => {
    const own = recordingRunner(["read_file"], []);
    expect(withExternalTools(own, undefined)).toBe(own);
    expect(withExternalTools(own, recordingRunner([], []))).toBe(own);
  });
});

describe("a chat turn with an external tool", () => {
  let directory: string;
  beforeEach(async () => void (directory = await mkdtemp(path.join(os.tmpdir(), "external-tools-"))));
  afterEach(() => rm(directory, { recursive: true, force: true }));

  function session(answers: ScriptedAnswer[], tools: boolean, external: ToolRunner | undefined) {
    const { engine, requests } = scriptedEngine(answers);
    const chat = new ChatSession({
      engine,
      store: new ConversationStore(directory),
      settings: () => ({ systemPrompt: "", maxTokens: 128, tools }),
      workspaceFolders: () => [directory],
      currentId: { get: () => undefined, set: async () => undefined },
      post: () => undefined,
      log: () => undefined,
      externalTools: () => external,
    });
    return { chat, requests };
  }

  it("offers the enabled tool next to ours, runs the model's call and gives the result back", async () => {
    const ran: string[] = [];
    const { chat, requests } = session([{ toolCalls: [{ id: "c1", name: "search_issues", arguments: '{"q":"bug"}' }] }, { chunks: ["Found it."] }], true, recordingRunner(["search_issues"], ran));
    await chat.send("Any open bugs?");
    expect(requests[0]!.tools!.map((tool) => tool.name)).toEqual([...workspaceToolDefinitions.map((tool) => tool.name), "search_issues"]);
    expect(ran).toEqual(["search_issues:search_issues"]);
    expect(requests[1]!.messages.find((m) => m.role === "tool")).toMatchObject({ content: "search_issues done", toolCallId: "c1" });
  });

  it("offers no external tool when the chat's tools are off", async () => {
    const { chat, requests } = session([{ chunks: ["No tools."] }], false, recordingRunner(["search_issues"], []));
    await chat.send("Any open bugs?");
    expect(requests[0]!.tools).toBeUndefined();
  });
});
