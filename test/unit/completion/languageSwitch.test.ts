// deepseekLocal.completion.languages: a language switched off gets no ghost text and costs no model
// request; "*" is the default for languages not listed (issue 24). Driven through
// registerCompletion with the real Config over a fake `vscode`, so the switch is tested where it is used.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import type { InfillRequest } from "../../../src/core/engine/engine.js";
import { isLanguageEnabled } from "../../../src/vscode/completion/inlineProvider.js";
import { FakeDocument, Position, Uri, fake } from "../../fixtures/fakeVscode.js";
import { answeringEngine, offeredGhostText, registerWithFakes } from "./registeredCompletion.js";

const registered = vi.hoisted(() => ({ providers: [] as vscode.InlineCompletionItemProvider[] }));

vi.mock("vscode", async () => (await import("../../fixtures/fakeVscode.js")).vscodeForCompletion(registered));

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
  let provider: vscode.InlineCompletionItemProvider;

  beforeEach(() => {
    infills.length = 0;
    registered.providers.length = 0;
    registerWithFakes(answeringEngine(infills), owned);
    expect(registered.providers).toHaveLength(1);
    provider = registered.providers[0]!;
  });

  afterEach(() => {
    for (const disposable of owned.splice(0)) disposable.dispose();
  });

  /** The ghost text the provider offers at the end of a one-line document in `languageId`. */
  function ghostText(languageId: string): Promise<string | undefined> {
    const text = "    return ";
    return offeredGhostText(provider, new FakeDocument(Uri.file(`/w/src/file.${languageId}`), text, languageId), new Position(0, text.length));
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
