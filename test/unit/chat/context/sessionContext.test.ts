// Context attachments in the chat session: every pending chip has a token estimate, the budget the
// page marks chips against is known once a turn has been fitted, and a provider's attachment reaches
// the prompt under its heading.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChatSession } from "../../../../src/core/chat/chatSession.js";
import { problemsContext } from "../../../../src/core/chat/context/problems.js";
import { ConversationStore } from "../../../../src/core/chat/conversationStore.js";
import { estimateTokens } from "../../../../src/core/chat/tokenEstimate.js";
import { scriptedEngine } from "../scriptedEngine.js";

let directory: string;
beforeEach(async () => void (directory = await mkdtemp(path.join(os.tmpdir(), "chat-context-"))));
afterEach(() => rm(directory, { recursive: true, force: true }));

function session(contextSize: number) {
  const { engine, requests } = scriptedEngine([{ chunks: ["ok"] }], contextSize);
  const chat = new ChatSession({
    engine,
    store: new ConversationStore(directory),
    settings: () => ({ systemPrompt: "Be brief.", maxTokens: 256, tools: false }),
    workspaceFolders: () => [directory],
    currentId: { get: () => undefined, set: async () => undefined },
    post: () => undefined,
    log: () => undefined,
  });
  return { chat, requests };
}

describe("chat session with context attachments", () => {
  it("counts a selection's tokens when attached, keeps a provider's own count, and learns the budget from the turn", async () => {
    const { chat, requests } = session(4096);
    const problems = problemsContext([{ path: "src/a.ts", lines: ["let x: number = 'a';"], problems: [{ line: 0, column: 4, severity: "error", message: "Type 'string' is not assignable to type 'number'." }] }], {
      scope: "file",
      privateReason: () => undefined,
    });
    if (typeof problems === "string") throw new Error(problems);
    chat.attach({ kind: "selection", label: "src/b.ts:1-1", path: "src/b.ts", languageId: "typescript", text: "const b = 1;" });
    chat.attach(problems);
    expect(chat.state.pending.map((attachment) => attachment.tokens)).toEqual([estimateTokens("const b = 1;"), problems.tokens]);
    expect(chat.state.attachmentBudget).toBeNull();

    await chat.send("Why?");
    const budget = chat.state.attachmentBudget!;
    // The context less the answer's room (256) and the safety margin (64), less the system prompt.
    expect(budget).toBeLessThan(4096 - 256 - 64);
    expect(budget).toBeGreaterThan(4096 - 256 - 64 - 40);
    const prompt = requests[0]!.messages.at(-1)!.content;
    expect(prompt).toContain("The editor reports Problems (1) in src/a.ts:");
    expect(prompt).toContain("> 1 | let x: number = 'a';");
    expect(chat.state.pending).toEqual([]);
  });
});
