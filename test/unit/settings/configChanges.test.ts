// Config as the one owner of settings (issue 27 item 3): once watched, one read of the settings per
// change however many properties a request reads, and one listener that says which areas changed.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as vscode from "vscode";
import { Config, type SettingsArea } from "../../../src/vscode/config.js";
import { fake } from "../../fixtures/fakeVscode.js";

vi.mock("vscode", async () => (await import("../../fixtures/fakeVscode.js")).vscode);

const ownSectionReads = () => vi.mocked(vscode.workspace.getConfiguration).mock.calls.filter(([section]) => section === "deepseekLocal").length;
/** What a completion request and its follow-up read. */
const readLikeARequest = (config: Config) => {
  for (let i = 0; i < 2; i++) void [config.completion, config.backends, config.loadParams, config.chat, config.privacy];
};

let config: Config;
beforeEach(() => {
  fake.reset();
  fake.settings.set("deepseekLocal.model.path", "/models/coder.gguf");
  vi.spyOn(vscode.workspace, "getConfiguration");
});
afterEach(() => {
  config.dispose();
  vi.restoreAllMocks();
});

describe("Config, watched", () => {
  it("reads the settings once per change, and afresh after one", () => {
    config = new Config("/storage").watch();
    readLikeARequest(config);
    expect(ownSectionReads()).toBe(1);
    fake.settings.set("deepseekLocal.completion.maxTokens", 9);
    fake.changeSettings("deepseekLocal.completion.maxTokens");
    expect(config.completion.pipeline.maxTokens).toBe(9);
    readLikeARequest(config);
    expect(ownSectionReads()).toBe(2);
  });

  it("tells its listeners which areas a change touched, after the new values are in", () => {
    config = new Config("/storage").watch();
    const seen: { areas: SettingsArea[]; threads: number | undefined }[] = [];
    const areas: SettingsArea[] = ["engine", "backends", "completion", "completionSwitches", "privacy", "model", "refactorActions", "any"];
    config.onDidChange((change) => seen.push({ areas: areas.filter((area) => change.affects(area)), threads: config.loadParams?.threads }));
    void config.loadParams;
    fake.settings.set("deepseekLocal.engine.threads", 3);
    fake.changeSettings("deepseekLocal.engine.threads");
    fake.changeSettings("deepseekLocal.remote.baseUrl");
    fake.changeSettings("files.exclude");
    fake.changeSettings("deepseekLocal.completion.languages");
    fake.changeSettings("editor.inlineSuggest.enabled");
    fake.changeSettings("deepseekLocal.refactor.customActions");
    expect(seen).toEqual([
      { areas: ["engine", "any"], threads: 3 },
      { areas: ["backends", "any"], threads: 3 },
      { areas: ["privacy"], threads: 3 },
      { areas: ["completion", "completionSwitches", "any"], threads: 3 },
      { areas: ["completionSwitches"], threads: 3 },
      { areas: ["refactorActions", "any"], threads: 3 },
    ]);
  });

  it("stops listening when disposed", () => {
    config = new Config("/storage").watch();
    const listener = vi.fn();
    config.onDidChange(listener);
    config.dispose();
    fake.changeSettings("deepseekLocal.engine.threads");
    expect(listener).not.toHaveBeenCalled();
  });
});

describe("Config, not watched", () => {
  it("reads afresh at every property, so a value set without an event is seen", () => {
    config = new Config("/storage");
    void config.contextSize;
    fake.settings.set("deepseekLocal.engine.contextSize", 4096);
    expect(config.contextSize).toBe(4096);
    expect(ownSectionReads()).toBe(2);
  });
});
