// The model request starts as the user types, before VS Code asks 50 ms later (issue 25), and VS
// Code's call joins it; a cursor move without an edit, or a switched-off language, asks nothing.
// Driven through registerCompletion with the real Config and pipeline over a fake `vscode`.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import type { Engine, InfillRequest } from "../../../src/backends/engine.js";
import { registerCompletion } from "../../../src/vscode/completion/registerCompletion.js";
import { Config } from "../../../src/vscode/config.js";
import type { ExtensionContextHolder } from "../../../src/vscode/extensionContext.js";
import type { EngineStatusBar } from "../../../src/vscode/statusBar.js";
import { WorkspacePrivacy } from "../../../src/vscode/workspacePrivacy.js";
import { FakeDocument, Position, Selection, Uri, fake } from "../../fixtures/fakeVscode.js";

const registered = vi.hoisted(() => ({ providers: [] as vscode.InlineCompletionItemProvider[] }));

vi.mock("vscode", async () => {
  const { vscode } = await import("../../fixtures/fakeVscode.js");
  const disposable = { dispose() {} };
  return {
    ...vscode,
    languages: {
      registerInlineCompletionItemProvider: (_selector: unknown, provider: vscode.InlineCompletionItemProvider) => {
        registered.providers.push(provider);
        return disposable;
      },
    },
    commands: { ...vscode.commands, registerCommand: () => disposable },
    // Not spread: activeTextEditor is a getter.
    window: Object.assign(Object.create(vscode.window) as object, { setStatusBarMessage: () => disposable }),
  };
});

describe("requests start as the user types", () => {
  const infills: InfillRequest[] = [];
  const owned: { dispose(): unknown }[] = [];
  const metrics = { promptTokens: 1, reusedTokens: 0, evaluatedTokens: 1, restoredTokens: 0, forcedTokens: 0, generatedTokens: 2, promptMs: 0, firstTokenMs: 0, generationMs: 0, totalMs: 0 };
  const engine = {
    kind: "local",
    infill: async (request: InfillRequest) => (infills.push(request), { text: "total + 1\n", stopReason: "eos", metrics }),
    prefill: async () => metrics,
  } as unknown as Engine;
  const text = "def inc(total):\n    return ";
  const end = new Position(1, 11);
  let document: FakeDocument;

  beforeEach(() => {
    fake.reset();
    fake.workspaceFolders = ["/w"];
    infills.length = 0;
    registered.providers.length = 0;
    const config = new Config("/storage");
    const privacy = new WorkspacePrivacy(config, () => undefined);
    owned.push(privacy);
    const ctx = {
      config,
      privacy,
      log: { trace() {}, debug() {}, info() {}, warn() {} },
      supervisor: { state: { kind: "ready" } },
      engineFor: () => engine,
      own: (disposable: { dispose(): unknown }) => owned.push(disposable),
    } as unknown as ExtensionContextHolder;
    registerCompletion(ctx, { setDetail() {} } as unknown as EngineStatusBar);
    document = new FakeDocument(Uri.file("/w/inc.py"), text, "python");
    fake.show(document);
  });

  afterEach(() => {
    for (const disposable of owned.splice(0)) disposable.dispose();
  });

  /** The user typed: the text changes, then the cursor moves after it. */
  function typed(): void {
    fake.type(document, 1);
    moveCursor();
  }

  function moveCursor(): void {
    const editor = fake.activeTextEditor!;
    editor.selection = new Selection(end, end);
    fake.events.changeSelection.fire({ textEditor: editor, selections: [editor.selection] });
  }

  async function askedByVsCode(): Promise<string | undefined> {
    const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
    const items = await registered.providers[0]!.provideInlineCompletionItems(
      document as unknown as vscode.TextDocument,
      end as unknown as vscode.Position,
      { triggerKind: 1, selectedCompletionInfo: undefined } as vscode.InlineCompletionContext,
      token as unknown as vscode.CancellationToken,
    );
    return items && "length" in items ? (items[0]?.insertText as string | undefined) : undefined;
  }

  it("starts the request on the keystroke; VS Code's call is served by it", async () => {
    typed();
    await new Promise((r) => setTimeout(r, 1));
    expect(infills.map((r) => r.prefix)).toEqual([text]);
    expect(await askedByVsCode()).toBe("total + 1");
    expect(infills).toHaveLength(1);
  });

  it("asks nothing for a cursor move without an edit", async () => {
    moveCursor();
    await new Promise((r) => setTimeout(r, 1));
    expect(infills).toHaveLength(0);
  });

  it("asks nothing where ghost text is off: the language, or the editor's inline suggestions", async () => {
    fake.settings.set("deepseekLocal.completion.languages", { python: false });
    typed();
    fake.settings.delete("deepseekLocal.completion.languages");
    fake.settings.set("editor.inlineSuggest.enabled", false);
    typed();
    await new Promise((r) => setTimeout(r, 1));
    expect(infills).toHaveLength(0);
  });
});
