import { describe, expect, it } from "vitest";
import { readBackendSettings } from "../../../src/core/remote/remoteSettings.js";

const reader = (values: Record<string, unknown>) => (key: string) => values[key];

describe("readBackendSettings", () => {
  it("defaults every feature to the local backend, with no remote and no problem", () => {
    expect(readBackendSettings(reader({}))).toEqual({
      backends: { completion: "local", chat: "local", refactor: "local" },
      remote: undefined,
      problem: undefined,
    });
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
