// The chat sidebar: a WebviewView whose page (media/dist/chat.js) talks to a ChatSession.
// Webview hygiene: `default-src 'none'` CSP with a fresh nonce per render (from crypto), scripts
// and styles only from media/ via asWebviewUri, localResourceRoots limited to media/, and a ready
// handshake (the page asks for state when it is listening, instead of the host guessing).
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { PageMessage, type HostMessage } from "../../protocol/webview.js";
import type { ChatSession } from "../../core/chat/chatSession.js";
import { contextCommandIds } from "./contextSources.js";
import { runSlashCommand } from "./slashCommands.js";
import { applyWithPreview, fileAttachment, insertAtCursor, pickFileAttachment, selectionAttachment } from "./editorActions.js";

export const chatViewId = "deepseekLocal.chatView";

export function chatHtml(webview: vscode.Webview, mediaRoot: vscode.Uri): string {
  const nonce = randomBytes(18).toString("base64");
  const script = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, "dist", "chat.js"));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, "chat.css"));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>DeepSeek Chat</title>
</head>
<body>
<div id="app" role="main"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/**
 * How long a disposed chat view waits for a new one before its answer is stopped: VS Code disposes
 * the view when the user moves it to another side bar or the panel, and resolves a new one at once
 * where it lands.
 */
export const chatCloseGraceMs = 1000;

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly viewScope: vscode.Disposable[] = [];
  private closing: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: ChatSession,
    private readonly mediaRoot: vscode.Uri,
    private readonly log: (line: string) => void,
    private readonly closeGraceMs = chatCloseGraceMs,
  ) {}

  post(message: HostMessage): void {
    void this.view?.webview.postMessage(message);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    clearTimeout(this.closing);
    this.view = view;
    view.webview.options = { enableScripts: true, localResourceRoots: [this.mediaRoot] };
    view.webview.html = chatHtml(view.webview, this.mediaRoot);
    this.viewScope.push(
      view.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      view.onDidDispose(() => {
        if (this.view !== view) return;
        this.view = undefined;
        this.disposeView();
        this.closing = setTimeout(() => this.closed(), this.closeGraceMs);
      }),
    );
  }

  /** Shows the view and puts the cursor in its input. */
  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${chatViewId}.focus`);
    this.post({ type: "focusInput" });
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = PageMessage.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]?.message ?? "";
      this.log(`chat: ignored a malformed message from the page: ${issue}`);
      // Say so on the page: a refused message must not vanish without a word.
      this.post({ type: "error", message: `The chat could not take that message (${issue}).` });
      return;
    }
    try {
      await this.handle(parsed.data);
    } catch (error) {
      this.post({ type: "error", message: (error as Error).message });
    }
  }

  private async handle(message: PageMessage): Promise<void> {
    const session = this.session;
    switch (message.type) {
      case "ready":
        return this.post({ type: "state", state: session.state });
      case "send":
        return session.send(message.text);
      case "stop":
        return session.stop();
      case "continue":
        return session.continueAnswer(message.entryId, message.prefix);
      case "newChat":
        return session.newChat();
      case "open":
        return session.open(message.conversationId);
      case "rename":
        return vscode.commands.executeCommand("deepseekLocal.chat.rename", message.conversationId);
      case "delete":
        return vscode.commands.executeCommand("deepseekLocal.chat.delete", message.conversationId);
      case "export":
        return vscode.commands.executeCommand("deepseekLocal.chat.export", message.conversationId);
      case "attachSelection":
        return session.attach(selectionAttachment());
      case "attachFile":
        return session.attach(fileAttachment());
      case "pickFile": {
        const picked = await pickFileAttachment();
        if (picked) session.attach(picked);
        else this.post({ type: "focusInput" });
        return;
      }
      case "attachContext":
        return vscode.commands.executeCommand(contextCommandIds[message.kind]);
      case "runAction":
        return runSlashCommand(session.state.slashCommands ?? [], message.actionId, message.instruction);
      case "removeAttachment":
        return session.removeAttachment(message.index);
      case "code":
        if (message.action === "copy") return void (await vscode.env.clipboard.writeText(message.code));
        if (message.action === "insert") return insertAtCursor(message.code);
        return void (await applyWithPreview(message.code));
      case "openLink": {
        // Only web and mail links leave the chat; the sanitizer allows nothing else either.
        const uri = vscode.Uri.parse(message.href, true);
        if (["http", "https", "mailto"].includes(uri.scheme)) await vscode.env.openExternal(uri);
        return;
      }
    }
  }

  /**
   * Closing the chat (its view hidden where VS Code lets it be, or the window closing) stops its
   * answer, so a server slot or a paid API does not run on to chat.maxTokens for a page nobody sees
   * (issue 26). A view that is only hidden (another side bar view chosen, the side bar hidden) is
   * not disposed: the answer goes on and shows when the chat is opened again, as in Copilot and
   * Continue.
   */
  private closed(): void {
    if (this.view) return;
    if (this.session.busy) this.log("chat: the chat view was closed; its answer was stopped");
    void this.session.stop();
  }

  private disposeView(): void {
    for (const disposable of this.viewScope.splice(0)) disposable.dispose();
  }

  dispose(): void {
    clearTimeout(this.closing);
    this.disposeView();
  }
}
