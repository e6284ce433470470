// Per-feature servers (issue 26, item 3) at the editor edge: BackendSelector sends each feature to
// its own server (a Base model for ghost text, an Instruct one for chat), features on one server
// share its engine, a key is stored for the server the user picks, and Test Remote Connection
// reports per server what each feature gets. Two fake servers of different kinds stand in.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FakeServer } from "./fakeServer.js";
import { startOllama } from "../fixtures/fakeServers/ollama.js";
import { startVllm, vllmModel } from "../fixtures/fakeServers/vllm.js";
import { fimAnswer, chatPieces } from "../fixtures/fakeServers/scriptedModel.js";

const ui = vi.hoisted(() => ({
  settings: {} as Record<string, unknown>,
  modals: [] as { message: string; detail?: string }[],
  quickPicks: [] as { label: string; description?: string }[][],
  pick: undefined as string | undefined,
  input: undefined as string | undefined,
}));

vi.mock("vscode", () => ({
  workspace: {
    getConfiguration: () => ({
      get: (key: string, fallback?: unknown) => ui.settings[key] ?? fallback,
      inspect: (key: string) => ({ key, globalValue: ui.settings[key] }),
      update: async () => undefined,
    }),
  },
  window: {
    withProgress: async (_options: unknown, task: () => Promise<unknown>) => task(),
    showInformationMessage: async (message: string, options?: { modal?: boolean; detail?: string }) => {
      if (options?.modal) ui.modals.push({ message, detail: options.detail });
      return undefined;
    },
    showErrorMessage: async (message: string, options?: { modal?: boolean; detail?: string }) => {
      ui.modals.push({ message, detail: typeof options === "object" ? options.detail : undefined });
      return undefined;
    },
    showWarningMessage: async () => undefined,
    showQuickPick: async (items: { label: string; description?: string }[]) => {
      ui.quickPicks.push(items);
      return items.find((item) => item.label === ui.pick);
    },
    showInputBox: async () => ui.input,
  },
  commands: { executeCommand: async () => undefined },
  ProgressLocation: { Notification: 15 },
  ConfigurationTarget: { Global: 1 },
}));

const servers: FakeServer[] = [];
beforeEach(() => {
  ui.settings = {};
  ui.modals = [];
  ui.quickPicks = [];
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function selectorWith(settings: (base: FakeServer, instruct: FakeServer) => Record<string, unknown>) {
  const base = await startVllm();
  const instruct = await startOllama();
  servers.push(base, instruct);
  ui.settings = settings(base, instruct);
  const { BackendSelector } = await import("../../src/vscode/backendSelection.js");
  const { Config } = await import("../../src/vscode/config.js");
  const stored = new Map<string, string>();
  const secrets = { get: async (key: string) => stored.get(key), store: async (key: string, value: string) => void stored.set(key, value), delete: async (key: string) => void stored.delete(key) };
  const state = new Map<string, unknown>();
  const globalState = { get: (key: string, fallback?: unknown) => state.get(key) ?? fallback, update: async (key: string, value: unknown) => void state.set(key, value), keys: () => [...state.keys()] };
  const log = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined };
  const selector = new BackendSelector({ config: new Config("/storage"), log, secrets, globalState, localEngine: {} } as unknown as ConstructorParameters<typeof BackendSelector>[0]);
  return { selector, base, instruct, stored };
}

const twoServers = (base: FakeServer, instruct: FakeServer) => ({
  "backend.completion": "remote",
  "backend.chat": "remote",
  "backend.refactor": "remote",
  "remote.baseUrl": instruct.url,
  "remote.model": "deepseek-coder-v2:16b",
  "remote.completion.baseUrl": base.url,
  "remote.completion.model": vllmModel,
});

describe("per-feature servers", () => {
  it("ghost text goes to its own server, chat and refactors to the shared one, which they share", async () => {
    const { selector, base, instruct } = await selectorWith(twoServers);
    const infill = await selector.currentEngine("completion").infill({ prefix: "return ", suffix: ";", maxTokens: 8 });
    expect(infill.text).toBe(fimAnswer);
    const answer = await selector.currentEngine("chat").chat({ messages: [{ role: "user", content: "hi" }], maxTokens: 8 });
    expect(answer.text).toBe(chatPieces.join(""));
    const posted = (server: FakeServer) => server.requests.filter((r) => r.method === "POST").map((r) => r.path);
    expect(posted(base)).toEqual(["/v1/completions"]);
    expect(posted(instruct)).toEqual(["/api/show", "/v1/chat/completions"]);
    expect(base.requests.at(-1)!.body!.model).toBe(vllmModel);
    expect(selector.currentEngine("refactor")).toBe(selector.currentEngine("chat"));
    expect(selector.currentEngine("completion")).not.toBe(selector.currentEngine("chat"));
  }, 15_000);

  it("asks which server a key is for, and sends it only there", async () => {
    const { selector, base, instruct, stored } = await selectorWith(twoServers);
    ui.pick = new URL(base.url).origin;
    ui.input = "sk-base0123456789";
    await selector.setApiKey();
    expect(ui.quickPicks[0]!.map((item) => [item.label, item.description])).toEqual([
      [new URL(base.url).origin, "ghost text"],
      [new URL(instruct.url).origin, "chat, refactors"],
    ]);
    expect([...stored.keys()]).toEqual([`deepseekLocal.remote.apiKey:${new URL(base.url).origin}`]);
    await selector.currentEngine("completion").infill({ prefix: "a", suffix: "b", maxTokens: 4 });
    await selector.currentEngine("chat").chat({ messages: [{ role: "user", content: "hi" }], maxTokens: 8 });
    expect(base.requests.at(-1)!.headers.authorization).toBe("Bearer sk-base0123456789");
    expect(instruct.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
  }, 15_000);

  it("Test Remote Connection reports each server, the features on it, and what they get", async () => {
    const { selector, base, instruct } = await selectorWith(twoServers);
    await selector.testConnection();
    expect(ui.modals).toHaveLength(1);
    expect(ui.modals[0]!.message).toBe("DeepSeek Local: connected to 2 servers.");
    const detail = ui.modals[0]!.detail!;
    expect(detail).toContain(`${base.url} (ghost text)\n  vLLM, model ${vllmModel}`);
    expect(detail).toContain(`${instruct.url} (chat, refactors)\n  Ollama, model deepseek-coder-v2:16b`);
    expect(detail).toContain("≈ tools: emulated with a JSON step");
    expect(detail).toContain("≈ ghost text: the server takes no suffix: DeepSeek's FIM tokens written into the /v1/completions prompt");
  }, 15_000);

  it("a feature whose own server is unusable is not sent to the shared one", async () => {
    const { selector, instruct } = await selectorWith((_base, instruct) => ({ "backend.completion": "remote", "remote.baseUrl": instruct.url, "remote.completion.baseUrl": "ftp://nowhere" }));
    const error = await selector.currentEngine("completion").infill({ prefix: "a", suffix: "b", maxTokens: 4 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/deepseekLocal\.remote\.completion\.baseUrl must be an http/);
    expect(instruct.requests).toHaveLength(0);
  }, 15_000);
});
