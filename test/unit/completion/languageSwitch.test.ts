// deepseekLocal.completion.languages: a language switched off gets no ghost text and costs no model
// request; "*" is the default for languages not listed (issue 24). Driven through
// registerCompletion with the real Config over a fake `vscode`, so the switch is tested where it is used.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import type { Engine, InfillRequest } from "../../../src/backends/engine.js";
import { isLanguageEnabled } from "../../../src/vscode/completion/inlineProvider.js";
import { registerCompletion } from "../../../src/vscode/completion/registerCompletion.js";
import { Config } from "../../../src/vscode/config.js";
import type { ExtensionContextHolder } from "../../../src/vscode/extensionContext.js";
import type { EngineStatusBar } from "../../../src/vscode/statusBar.js";
import { WorkspacePrivacy } from "../../../src/vscode/workspacePrivacy.js";
import { FakeDocument, Position, Uri, fake } from "../../fixtures/fakeVscode.js";

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
    window: { ...vscode.window, setStatusBarMessage: () => disposable },
  };
});

describe("isLanguageEnabled", () => {
  it("is on for every language when nothing is listed", () => {
    expect(isLanguageEnabled({}, "python")).toBe(true);
  });
  it("follows the language's own switch first, then \"*\"", () => {
    expect(isLanguageEnabled({ python: false }, "python")).toBe(false);
    expect(isLanguageEnabled({ python: false }, "go")).toBe(true);
    expect(isLanguageEnabled({ "*": false, go: true }, "go")).toBe(true);
    expect(isLanguageEnabled({ "*": false, go: true }, "markdown")).toBe(false);
    expect(isLanguageEnabled({ "*": true, markdown: false }, "markdown")).toBe(false);
  });
});

describe("the inline completion provider and deepseekLocal.completion.languages", () => {
  const infills: InfillRequest[] = [];
  const owned: { dispose(): unknown }[] = [];
  const metrics = { promptTokens: 1, reusedTokens: 0, evaluatedTokens: 1, restoredTokens: 0, forcedTokens: 0, generatedTokens: 2, promptMs: 0, firstTokenMs: 0, generationMs: 0, totalMs: 0 };
  const engine = {
    kind: "local",
    infill: async (request: InfillRequest) => (infills.push(request), { text: "total + 1\n", stopReason: "eos", metrics }),
    prefill: async () => metrics,
  } as unknown as Engine;

  let provider: vscode.InlineCompletionItemProvider;

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
    expect(registered.providers).toHaveLength(1);
    provider = registered.providers[0]!;
  });

  afterEach(() => {
    for (const disposable of owned.splice(0)) disposable.dispose();
  });

  /** The ghost text the provider offers at the end of a one-line document in `languageId`. */
  async function ghostText(languageId: string): Promise<string | undefined> {
    const text = "    return ";
    const document = new FakeDocument(Uri.file(`/w/src/file.${languageId}`), text, languageId);
    const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
    const items = await provider.provideInlineCompletionItems(
      document as unknown as vscode.TextDocument,
      new Position(0, text.length) as unknown as vscode.Position,
      { triggerKind: 0, selectedCompletionInfo: undefined } as vscode.InlineCompletionContext,
      token as unknown as vscode.CancellationToken,
    );
    return items && "length" in items ? (items[0]?.insertText as string | undefined) : undefined;
  }

  it("offers ghost text in a language that is not switched off", async () => {
    fake.settings.set("deepseekLocal.completion.languages", { python: false });
    expect(await ghostText("typescript")).toBe("total + 1");
    expect(infills).toHaveLength(1);
  });

  it("offers nothing, and asks no model, in a language switched off", async () => {
    fake.settings.set("deepseekLocal.completion.languages", { python: false });
    expect(await ghostText("python")).toBeUndefined();
    expect(infills).toHaveLength(0);
  });

  it("with \"*\" off, offers ghost text only in the languages switched on", async () => {
    fake.settings.set("deepseekLocal.completion.languages", { "*": false, go: true });
    expect(await ghostText("markdown")).toBeUndefined();
    expect(infills).toHaveLength(0);
    expect(await ghostText("go")).toBe("total + 1");
    expect(infills).toHaveLength(1);
  });
});
