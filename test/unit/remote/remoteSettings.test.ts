import { describe, expect, it } from "vitest";
import { readBackendSettings, serverUses } from "../../../src/core/remote/remoteSettings.js";

const reader = (values: Record<string, unknown>) => (key: string) => values[key];

describe("readBackendSettings", () => {
  it("defaults every feature to the local backend, with no remote and no problem", () => {
    const settings = readBackendSettings(reader({}));
    expect(settings).toMatchObject({ backends: { completion: "local", chat: "local", refactor: "local" }, remote: undefined, problem: undefined });
    expect(settings.servers).toEqual({ completion: undefined, chat: undefined, refactor: undefined });
  });

  it("asks for a URL when a feature is set to remote without one", () => {
    const settings = readBackendSettings(reader({ "backend.chat": "remote" }));
    expect(settings.backends.chat).toBe("remote");
    expect(settings.problem).toMatch(/deepseekLocal\.remote\.baseUrl/);
  });

  it("reads and normalizes the remote settings, clamping numbers", () => {
    const settings = readBackendSettings(
      reader({
        "backend.completion": "remote",
        "remote.baseUrl": "http://gpu:8000/v1/",
        "remote.model": " deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct ",
        "remote.flavor": "vllm",
        "remote.fim": "fimTokens",
        "remote.tools": "emulated",
        "remote.headers": { "X-Team": "ml" },
        "remote.extraBody": { top_k: 20 },
        "remote.timeoutMs": 5,
        "remote.streamIdleTimeoutMs": 12_000,
        "remote.maxRetries": 99,
      }),
    );
    expect(settings.problem).toBeUndefined();
    expect(settings.remote).toEqual({
      baseUrl: "http://gpu:8000",
      model: "deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct",
      flavor: "vllm",
      fim: "fimTokens",
      tools: "emulated",
      headers: { "X-Team": "ml" },
      extraBody: { top_k: 20 },
      requestTimeoutMs: 1000,
      idleTimeoutMs: 12_000,
      maxRetries: 10,
    });
  });

  it("falls back to auto for unknown flavor and FIM values", () => {
    const remote = readBackendSettings(reader({ "remote.baseUrl": "http://h", "remote.flavor": "koboldcpp", "remote.fim": "x", "remote.tools": 1 })).remote!;
    expect([remote.flavor, remote.fim, remote.tools]).toEqual(["auto", "auto", "auto"]);
  });

  it("refuses keys and protocol headers in settings, and bad URLs, with a reason", () => {
    const settings = readBackendSettings(reader({ "remote.baseUrl": "http://h", "remote.headers": { Authorization: "Bearer x", "bad name": "v", ok: 1 } }));
    expect(settings.remote!.headers).toEqual({});
    expect(settings.problem).toMatch(/Authorization.*API Key/);
    expect(settings.problem).toMatch(/bad name/);
    expect(readBackendSettings(reader({ "remote.baseUrl": "gpu:8080" })).problem).toMatch(/http/);
  });
});

describe("per-feature servers (issue 26, item 3)", () => {
  const base = {
    "backend.completion": "remote",
    "backend.chat": "remote",
    "remote.baseUrl": "http://gpu:8080",
    "remote.model": "shared-model",
    "remote.flavor": "llama-server",
    "remote.headers": { "X-Team": "ml" },
    "remote.timeoutMs": 9000,
  };

  it("gives every feature the shared server when none names its own", () => {
    const settings = readBackendSettings(reader(base));
    expect(settings.servers.completion).toEqual(settings.remote);
    expect(settings.servers.chat).toEqual(settings.remote);
    expect(settings.problems).toEqual({ completion: undefined, chat: undefined, refactor: undefined });
  });

  it("a feature's own URL and model: a Base server for ghost text, an Instruct one for chat", () => {
    const settings = readBackendSettings(
      reader({
        ...base,
        "remote.completion.baseUrl": "http://base-host:8081/v1",
        "remote.completion.model": "DeepSeek-Coder-V2-Lite-Base",
        "remote.chat.model": "DeepSeek-Coder-V2-Lite-Instruct",
      }),
    );
    // Its own server: its own model, detected (the shared flavor describes the shared server), the shared options.
    expect(settings.servers.completion).toMatchObject({ baseUrl: "http://base-host:8081", model: "DeepSeek-Coder-V2-Lite-Base", flavor: "auto", headers: { "X-Team": "ml" }, requestTimeoutMs: 9000 });
    // The shared server with another model.
    expect(settings.servers.chat).toMatchObject({ baseUrl: "http://gpu:8080", model: "DeepSeek-Coder-V2-Lite-Instruct", flavor: "llama-server" });
    expect(settings.servers.refactor).toEqual(settings.remote);
  });

  it("a feature's own URL without a model uses that server's default model, not the shared one", () => {
    const settings = readBackendSettings(reader({ ...base, "remote.chat.baseUrl": "https://api.deepseek.com" }));
    expect(settings.servers.chat).toMatchObject({ baseUrl: "https://api.deepseek.com", model: undefined });
  });

  it("needs no shared URL when each remote feature names its own", () => {
    const settings = readBackendSettings(reader({ "backend.chat": "remote", "remote.chat.baseUrl": "http://chat-host:8000" }));
    expect(settings.problem).toBeUndefined();
    expect(settings.problems.chat).toBeUndefined();
    expect(settings.servers.chat?.baseUrl).toBe("http://chat-host:8000");
    expect(settings.problems.completion).toMatch(/remote\.completion\.baseUrl/);
  });

  it("names the feature's setting when its URL is unusable, and keeps that feature off the shared server", () => {
    const settings = readBackendSettings(reader({ ...base, "remote.completion.baseUrl": "ftp://x" }));
    expect(settings.servers.completion).toBeUndefined();
    expect(settings.problems.completion).toMatch(/deepseekLocal\.remote\.completion\.baseUrl must be an http/);
    expect(settings.problems.chat).toBeUndefined();
  });

  it("lists each distinct server once with the features that use it", () => {
    const settings = readBackendSettings(reader({ ...base, "backend.refactor": "remote", "remote.completion.baseUrl": "http://base-host:8081" }));
    const uses = serverUses(settings).map((use) => [use.server.baseUrl, use.features]);
    expect(uses).toEqual([
      ["http://base-host:8081", ["completion"]],
      ["http://gpu:8080", ["chat", "refactor"]],
    ]);
    // No feature remote yet: every configured server, to test before switching.
    const local = readBackendSettings(reader({ "remote.baseUrl": "http://gpu:8080", "remote.chat.model": "instruct" }));
    expect(serverUses(local).map((use) => [use.server.model, use.features])).toEqual([
      [undefined, ["completion", "refactor"]],
      ["instruct", ["chat"]],
    ]);
  });
});
