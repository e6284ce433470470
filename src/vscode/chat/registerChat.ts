// Wires the chat into the editor: the sidebar view, its commands, history in global storage.
import os from "node:os";
import path from "node:path";
import * as vscode from "vscode";
import { conversationToMarkdown } from "../../core/chat/conversation.js";
import { ConversationStore } from "../../core/chat/conversationStore.js";
import type { CommandTable } from "../commandTable.js";
import type { ExtensionContextHolder } from "../extensionContext.js";
import { ChatSession } from "../../core/chat/chatSession.js";
import { ChatViewProvider, chatViewId } from "./chatViewProvider.js";
import { fileAttachment, registerProposalDocuments, selectionAttachment } from "./editorActions.js";
import { contextAttachmentFor, contextCommandIds, type ContextSources } from "./contextSources.js";
import { TerminalOutputs } from "./terminalOutputs.js";
import { slashCommands } from "./slashCommands.js";
import { chatContextMentions, type ChatContextKind } from "../../protocol/chatContext.js";
import { createAgentEditor } from "../agent/agentEditor.js";
import { externalToolRunner } from "../languageModel/externalTools.js";

const currentConversationKey = "deepseekLocal.chat.currentConversation";

/** The chat view and its session; the chat's commands, for the one command table. */
export function registerChat(ctx: ExtensionContextHolder): CommandTable {
  const { vscodeContext } = ctx;
  const store = new ConversationStore(path.join(vscodeContext.globalStorageUri.fsPath, "chat-history"));
  let provider: ChatViewProvider | undefined;
  const session = new ChatSession({
    engine: ctx.engineFor("chat"),
    store,
    settings: () => ctx.config.chat,
    workspaceFolders: () => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath),
    currentId: {
      get: () => vscodeContext.globalState.get<string>(currentConversationKey),
      set: (id) => vscodeContext.globalState.update(currentConversationKey, id),
    },
    post: (message) => provider?.post(message),
    log: (line) => ctx.log.info(line),
    privacy: () => ctx.privacy.settings(),
    slashCommands: () => slashCommands(ctx.config.refactorCustomActions),
    agent: createAgentEditor(() => ctx.config.chat.commandTimeoutMs),
    externalTools: () => externalToolRunner(ctx.config.chat.externalTools, { grammarSafe: ctx.config.backends.backends.chat === "local", log: (line) => ctx.log.info(line) }),
    location: () => {
      const settings = ctx.config.backends;
      return settings.backends.chat === "remote" ? { kind: "remote", baseUrl: settings.remote?.baseUrl } : { kind: "local" };
    },
  });
  provider = ctx.own(new ChatViewProvider(session, vscode.Uri.joinPath(vscodeContext.extensionUri, "media"), (line) => ctx.log.info(line)));
  const restored = session.restore().catch((error: Error) => ctx.log.warn(`chat: history could not be read: ${error.message}`));

  ctx.own(
    vscode.window.registerWebviewViewProvider(chatViewId, {
      resolveWebviewView: async (view) => {
        await restored;
        provider!.resolveWebviewView(view);
      },
    }),
  );
  ctx.own(registerProposalDocuments());
  ctx.own(
    ctx.config.onDidChange((change) => {
      if (change.affects("backends") || change.affects("refactorActions")) session.settingsChanged();
    }),
  );
  ctx.own(ctx.privacy.onDidChange(() => session.settingsChanged()));

  ctx.own({ dispose: () => void session.stop() });
  const terminals = ctx.own(new TerminalOutputs());
  return { ...chatCommands(session, store, provider), ...contextCommands(session, provider, () => ({ privacy: ctx.privacy.settings(), terminals })) };
}

/** A command per context provider (`@problems`, `@changes`): the palette's way to what the `@` menu offers. */
function contextCommands(session: ChatSession, provider: ChatViewProvider, sources: () => ContextSources): CommandTable {
  const attach = async (kind: ChatContextKind) => {
    const made = await contextAttachmentFor(kind, sources()).catch((error: Error) => `The ${kind} could not be read: ${error.message}`);
    if (made === undefined) return provider.post({ type: "focusInput" });
    if (typeof made === "string") {
      void vscode.window.showInformationMessage(`DeepSeek Local: ${made}`);
      provider.post({ type: "focusInput" });
      return;
    }
    session.attach(made);
    await provider.reveal();
  };
  return Object.fromEntries(chatContextMentions.map((mention) => [contextCommandIds[mention.kind], () => attach(mention.kind)]));
}

/** The chat's commands, bound to its session, history and view. */
function chatCommands(session: ChatSession, store: ConversationStore, provider: ChatViewProvider): CommandTable {
  const attach = async (make: () => ReturnType<typeof selectionAttachment>) => {
    try {
      session.attach(make());
      await provider.reveal();
    } catch (error) {
      void vscode.window.showWarningMessage(`DeepSeek Local: ${(error as Error).message}`);
    }
  };
  return {
    "deepseekLocal.chat.newChat": async () => {
      await session.newChat();
      await provider.reveal();
    },
    "deepseekLocal.chat.attachSelection": () => attach(selectionAttachment),
    "deepseekLocal.chat.attachFile": () => attach(() => fileAttachment()),
    "deepseekLocal.chat.stop": () => session.stop(),
    "deepseekLocal.chat.export": async (id?: unknown) => {
      const conversation = typeof id === "string" && id !== session.current.id ? await store.load(id) : session.current;
      if (!conversation?.entries.length) return void vscode.window.showInformationMessage("DeepSeek Local: this chat is empty.");
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
      const name = `${conversation.title.replace(/[^\w .-]+/g, "").trim().slice(0, 60) || "chat"}.md`;
      const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, name), filters: { Markdown: ["md"] } });
      if (!target) return;
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(conversationToMarkdown(conversation)));
      void vscode.window.showInformationMessage(`DeepSeek Local: chat exported to ${vscode.workspace.asRelativePath(target)}.`);
    },
    "deepseekLocal.chat.rename": async (id?: unknown) => {
      const targetId = typeof id === "string" ? id : session.current.id;
      const existing = targetId === session.current.id ? session.current : await store.load(targetId);
      if (!existing) return;
      const title = await vscode.window.showInputBox({ prompt: "Rename the chat", value: existing.title, validateInput: (v) => (v.trim() ? null : "A title is needed.") });
      if (title) await session.rename(targetId, title);
    },
    "deepseekLocal.chat.delete": async (id?: unknown) => {
      const targetId = typeof id === "string" ? id : session.current.id;
      const existing = targetId === session.current.id ? session.current : await store.load(targetId);
      if (!existing) return;
      const choice = await vscode.window.showWarningMessage(`Delete the chat "${existing.title}"?`, { modal: true }, "Delete");
      if (choice === "Delete") await session.remove(targetId);
    },
  };
}
