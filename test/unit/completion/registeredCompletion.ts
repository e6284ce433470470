// registerCompletion over the fake `vscode` (fakeVscode.ts `vscodeForCompletion`, mocked by the
// test file): the real Config, privacy and pipeline, an engine the test supplies.
import type * as vscode from "vscode";
import type { Engine, InfillRequest } from "../../../src/core/engine/engine.js";
import { registerCompletion } from "../../../src/vscode/completion/registerCompletion.js";
import { Config } from "../../../src/vscode/config.js";
import type { ExtensionContextHolder } from "../../../src/vscode/extensionContext.js";
import type { EngineStatusBar } from "../../../src/vscode/statusBar.js";
import { WorkspacePrivacy } from "../../../src/vscode/workspacePrivacy.js";
import { Position, fake, type FakeDocument } from "../../fixtures/fakeVscode.js";

/** Registers completion; what it owns goes into `owned`, to dispose after the test. */
export function registerWithFakes(engine: Engine, owned: { dispose(): unknown }[]): void {
  fake.reset();
  fake.workspaceFolders = ["/w"];
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
}

/** The ghost text `provider` offers at `position` of `document`, as VS Code asks while typing. */
export async function offeredGhostText(
  provider: vscode.InlineCompletionItemProvider,
  document: FakeDocument,
  position: Position,
): Promise<string | undefined> {
  const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
  const items = await provider.provideInlineCompletionItems(
    document as unknown as vscode.TextDocument,
    position as unknown as vscode.Position,
    { triggerKind: 1, selectedCompletionInfo: undefined } as vscode.InlineCompletionContext,
    token as unknown as vscode.CancellationToken,
  );
  return items && "length" in items ? (items[0]?.insertText as string | undefined) : undefined;
}

/** An engine that answers every infill with "total + 1" and notes the request in `infills`. */
export function answeringEngine(infills: InfillRequest[]): Engine {
  const metrics = { promptTokens: 1, reusedTokens: 0, evaluatedTokens: 1, restoredTokens: 0, forcedTokens: 0, generatedTokens: 2, promptMs: 0, firstTokenMs: 0, generationMs: 0, totalMs: 0 };
  return {
    kind: "local",
    infill: async (request: InfillRequest) => (infills.push(request), { text: "total + 1\n", stopReason: "eos", metrics }),
    prefill: async () => metrics,
    warmUp: async () => undefined,
  } as unknown as Engine;
}
