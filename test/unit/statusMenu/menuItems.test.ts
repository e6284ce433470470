// The status-bar menu's entries in each state: what a user can switch, and what each choice does.
import { describe, expect, it } from "vitest";
import { statusMenuEntries, type MenuAction, type MenuState } from "../../../src/core/statusMenu/menuItems.js";

const base: MenuState = {
  completionEnabled: true,
  languageId: "python",
  languageEnabled: true,
  snoozedUntil: undefined,
  backends: { completion: "local", chat: "local", refactor: "local" },
  serverUrls: { completion: undefined, chat: undefined, refactor: undefined },
  engine: "ready",
  modelPath: "/models/deepseek.gguf",
};

function actions(state: Partial<MenuState>): Map<string, MenuAction> {
  const entries = statusMenuEntries({ ...base, ...state });
  return new Map(entries.flatMap((entry) => ("label" in entry ? [[entry.label.replace(/^\$\([^)]*\) /, ""), entry.action] as const] : [])));
}

describe("statusMenuEntries", () => {
  it("offers to disable ghost text for the active language, or enable it when off", () => {
    expect(actions({}).get("Disable Ghost Text for python")).toEqual({ kind: "setLanguageEnabled", languageId: "python", enabled: false });
    expect(actions({ languageEnabled: false }).get("Enable Ghost Text for python")).toEqual({ kind: "setLanguageEnabled", languageId: "python", enabled: true });
    expect([...actions({ languageId: undefined }).keys()].some((label) => label.includes("for "))).toBe(false);
  });

  it("offers a snooze, or while snoozed says until when and offers to resume", () => {
    expect(actions({}).get("Snooze Ghost Text…")).toEqual({ kind: "snooze" });
    const snoozed = statusMenuEntries({ ...base, snoozedUntil: new Date(2026, 0, 1, 9, 30).getTime() });
    expect(snoozed).toContainEqual({ label: "$(bell) Resume Ghost Text", description: "snoozed until 09:30", action: { kind: "resume" } });
    expect(actions({ snoozedUntil: 1 }).has("Snooze Ghost Text…")).toBe(false);
  });

  it("switches each feature's backend, or sends the user to set up a server first", () => {
    const withServer = actions({
      serverUrls: { completion: "https://gpu:8080", chat: "https://gpu:8080", refactor: undefined },
      backends: { completion: "local", chat: "remote", refactor: "local" },
    });
    expect(withServer.get("Ghost text: local engine")).toEqual({ kind: "setBackend", feature: "completion", backend: "remote" });
    expect(withServer.get("Chat: server")).toEqual({ kind: "setBackend", feature: "chat", backend: "local" });
    // A feature with no server of its own or shared is sent to the settings first.
    expect(withServer.get("Refactors: local engine")).toEqual({ kind: "configureRemote" });
    expect(actions({}).get("Refactors: local engine")).toEqual({ kind: "configureRemote" });
  });

  it("offers the engine restart only when a local model is in use", () => {
    expect(actions({}).get("Restart Engine")).toEqual({ kind: "command", command: "deepseekLocal.restartEngine" });
    expect(actions({ modelPath: undefined }).has("Restart Engine")).toBe(false);
    expect(actions({ backends: { completion: "remote", chat: "remote", refactor: "remote" } }).has("Restart Engine")).toBe(false);
  });

  it("always offers the model, cache and log commands", () => {
    const commands = [...actions({ modelPath: undefined, engine: "stopped" }).values()].flatMap((a) => (a.kind === "command" ? [a.command] : []));
    expect(commands).toEqual(expect.arrayContaining(["deepseekLocal.selectModelFile", "deepseekLocal.downloadModel", "deepseekLocal.showCacheStats", "deepseekLocal.showLog"]));
  });

  it("turns ghost text back on everywhere when it is off", () => {
    const entries = statusMenuEntries({ ...base, completionEnabled: false });
    expect(entries).toContainEqual(expect.objectContaining({ label: "$(check) Turn Ghost Text On", action: { kind: "command", command: "deepseekLocal.toggleCompletion" } }));
  });
});
