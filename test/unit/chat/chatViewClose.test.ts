// Closing the chat stops its answer (issue 26): when VS Code disposes the chat view, the request in
// flight is aborted, so a server slot or paid tokens do not run on to chat.maxTokens. A view that is
// only hidden (the user picked another side bar view) keeps generating, and so does one that moves
// (VS Code disposes it and resolves a new one where it lands).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import { ChatSession } from "../../../src/core/chat/chatSession.js";
import { ConversationStore } from "../../../src/core/chat/conversationStore.js";
import { ChatViewProvider } from "../../../src/vscode/chat/chatViewProvider.js";
import { EventEmitter, Uri } from "../../fixtures/fakeVscode.js";
import { scriptedEngine } from "./scriptedEngine.js";

vi.mock("vscode", async () => (await import("../../fixtures/fakeVscode.js")).vscode);

/** The wait for a new view before a closed one stops the answer (1 s in the product). */
const closeGraceMs = 30;

let directory: string;
beforeEach(async () => void (directory = await mkdtemp(path.join(os.tmpdir(), "chat-view-close-"))));
afterEach(() => rm(directory, { recursive: true, force: true }));

/** A chat whose one answer streams a chunk and then runs until its request is aborted. */
function longAnswerChat(): ChatSession {
  return new ChatSession({
    engine: scriptedEngine([{ chunks: ["partial"], untilAborted: true }]).engine,
    store: new ConversationStore(directory),
    settings: () => ({ systemPrompt: "", maxTokens: 4096, tools: false }),
    workspaceFolders: () => [directory],
    currentId: { get: () => undefined, set: async () => undefined },
    post: () => undefined,
    log: () => undefined,
  });
}

/** A webview view whose disposal and visibility the test drives, as VS Code's would change. */
function fakeView() {
  const disposed = new EventEmitter<void>();
  const visibility = new EventEmitter<void>();
  const view = {
    visible: true,
    webview: { cspSource: "vscode-resource:", asWebviewUri: (uri: Uri) => uri, options: {}, html: "", postMessage: async () => true, onDidReceiveMessage: () => ({ dispose() {} }) },
    onDidDispose: disposed.event,
    onDidChangeVisibility: visibility.event,
  };
  return {
    view: view as unknown as vscode.WebviewView,
    hide: () => ((view.visible = false), visibility.fire()),
    close: () => disposed.fire(),
  };
}

/** Sends a question and waits until its answer streams; `sending` settles when the answer ends. */
async function answering(chat: ChatSession): Promise<{ sending: Promise<void> }> {
  const sending = chat.send("a long question");
  await vi.waitFor(() => expect(chat.current.entries[1]?.content).toBe("partial"));
  expect(chat.state.streamingEntryId).toBe(chat.current.entries[1]!.id);
  return { sending };
}

/** A chat view shown in `views` in turn (the last one is current), with an answer streaming into it. */
async function chatStreamingInto(...views: vscode.WebviewView[]) {
  const chat = longAnswerChat();
  const provider = new ChatViewProvider(chat, Uri.file("/ext/media") as unknown as vscode.Uri, () => undefined, closeGraceMs);
  for (const view of views) provider.resolveWebviewView(view);
  return { chat, provider, ...(await answering(chat)) };
}

/** Whether the answer is still being written after the close grace has passed; stops it then. */
async function stillGenerating(chat: ChatSession, sending: Promise<void>): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, closeGraceMs * 3));
  const busy = chat.busy && chat.state.streamingEntryId === chat.current.entries[1]!.id;
  await chat.stop();
  await sending;
  return busy;
}

describe("closing the chat view", () => {
  it("aborts the answer in flight and keeps what was generated", async () => {
    const { view, close } = fakeView();
    const { chat, sending } = await chatStreamingInto(view);

    close();
    const ended = await Promise.race([sending.then(() => "ended"), new Promise((resolve) => setTimeout(resolve, 2000, "still generating"))]);
    expect(ended).toBe("ended");
    expect(chat.busy).toBe(false);
    expect(chat.current.entries[1]).toMatchObject({ content: "partial", stopReason: "aborted" });
  });

  it("lets the answer go on while the view is only hidden", async () => {
    const { view, hide } = fakeView();
    const { chat, sending } = await chatStreamingInto(view);
    hide();
    expect(await stillGenerating(chat, sending)).toBe(true);
  });

  it("leaves the answer alone when an earlier view, already replaced, is disposed", async () => {
    const first = fakeView();
    const { chat, sending } = await chatStreamingInto(first.view, fakeView().view);
    first.close();
    expect(await stillGenerating(chat, sending)).toBe(true);
  });

  it("lets the answer go on when the view moves (disposed, and a new one resolved at once)", async () => {
    const moved = fakeView();
    const { chat, provider, sending } = await chatStreamingInto(moved.view);
    moved.close();
    provider.resolveWebviewView(fakeView().view);
    expect(await stillGenerating(chat, sending)).toBe(true);
  });
});
