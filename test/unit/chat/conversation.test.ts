import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  conversationToMarkdown,
  fenceFor,
  newConversation,
  titleFromQuestion,
  toChatMessages,
  type Conversation,
} from "../../../src/core/chat/conversation.js";
import { ConversationStore } from "../../../src/core/chat/conversationStore.js";

const sample = (): Conversation => ({
  ...newConversation("c1", 1000),
  title: "Explain add",
  entries: [
    {
      id: "u1",
      role: "user",
      content: "What does this do?",
      attachments: [{ kind: "selection", label: "src/a.ts:1-2", path: "src/a.ts", languageId: "typescript", text: "const s = '```';\nadd(1, 2);" }],
    },
    { id: "a1", role: "assistant", content: "", toolCalls: [{ id: "t1", name: "read_file", arguments: '{"path":"src/a.ts"}' }] },
    { id: "r1", role: "tool", content: "file text", toolCallId: "t1", toolName: "read_file", toolOk: true },
    { id: "a2", role: "assistant", content: " It adds.", stopReason: "eos" },
    { id: "n1", role: "notice", content: "2 earlier messages were left out" },
  ],
});

describe("conversation → model messages", () => {
  it("folds attachments into the user's message in a fence the code cannot close, and skips notices", () => {
    const messages = toChatMessages(sample(), "Be brief.");
    expect(messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "assistant"]);
    expect(messages[1]!.content).toBe("Selected code from src/a.ts:1-2:\n````typescript\nconst s = '```';\nadd(1, 2);\n````\n\nWhat does this do?");
    expect(messages[2]!.toolCalls).toHaveLength(1);
    expect(messages[3]).toEqual({ role: "tool", content: "file text", toolCallId: "t1" });
  });

  it("has no system message when the prompt is empty", () => {
    expect(toChatMessages(sample(), "  ")[0]!.role).toBe("user");
  });

  it("makes fences longer than any backtick run", () => {
    expect(fenceFor("plain")).toBe("```");
    expect(fenceFor("a ````` b")).toBe("``````");
  });

  it("titles from the first line of the question", () => {
    expect(titleFromQuestion("  How do I\nsort?")).toBe("How do I");
    expect(titleFromQuestion("x".repeat(100))).toHaveLength(58);
    expect(titleFromQuestion("")).toBe("New chat");
  });

  it("exports markdown with questions, tool calls and answers", () => {
    const markdown = conversationToMarkdown(sample());
    expect(markdown).toMatch(/^# Explain add\n/);
    expect(markdown).toContain("## User\n\nSelected code from src/a.ts:1-2:");
    expect(markdown).toContain('> Tool call: `read_file` {"path":"src/a.ts"}');
    expect(markdown).toContain("## Assistant\n\nIt adds.");
    expect(markdown).toContain("> 2 earlier messages were left out");
  });
});

describe("conversation store", () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), "chat-store-"));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it("saves, lists newest first, loads and removes", async () => {
    const store = new ConversationStore(path.join(directory, "a"));
    expect(await store.list()).toEqual([]);
    await store.save(sample());
    await store.save({ ...newConversation("c2", 5000), title: "Later" });
    expect((await store.list()).map((s) => s.id)).toEqual(["c2", "c1"]);
    expect(await store.load("c1")).toEqual(sample());
    await store.remove("c1");
    expect((await store.list()).map((s) => s.id)).toEqual(["c2"]);
    expect((await readdir(path.join(directory, "a"))).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("skips files that do not parse or do not match the schema", async () => {
    const folder = path.join(directory, "b");
    const store = new ConversationStore(folder);
    await store.save(sample());
    await writeFile(path.join(folder, "broken.json"), "{not json");
    await writeFile(path.join(folder, "wrong.json"), JSON.stringify({ id: "wrong" }));
    expect((await store.list()).map((s) => s.id)).toEqual(["c1"]);
  });

  it("refuses ids that could name another path", async () => {
    const store = new ConversationStore(path.join(directory, "c"));
    expect(await store.load("../../etc/passwd")).toBeUndefined();
    await expect(store.save({ ...sample(), id: "../x" })).rejects.toThrow(/Invalid conversation id/);
    await expect(store.remove("a/b")).rejects.toThrow(/Invalid conversation id/);
  });

  it("keeps the last of several quick saves", async () => {
    const store = new ConversationStore(path.join(directory, "d"));
    await Promise.all([1, 2, 3].map((n) => store.save({ ...sample(), title: `v${n}` })));
    expect((await store.load("c1"))!.title).toBe("v3");
  });

  // Conversations hold the user's code: no other user of the machine may read them (issue 19).
  it("keeps the folder and its files private to the user, also a folder made world-readable before", async () => {
    const folder = path.join(directory, "private");
    await mkdir(folder, { mode: 0o755 });
    await chmod(folder, 0o755);
    const store = new ConversationStore(folder);
    await store.save(sample());
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(folder, "c1.json"))).mode & 0o777).toBe(0o600);
  });
});
