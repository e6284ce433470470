import { describe, expect, it } from "vitest";
import { detectFlavor, isDeepSeekApi, normalizeBaseUrl, openAiUrl } from "../../../src/core/remote/serverFlavor.js";

describe("detectFlavor", () => {
  it("recognizes llama-server by /props, or by its model owner", () => {
    expect(detectFlavor({ baseUrl: "http://h:8080", props: { default_generation_settings: {}, build_info: "b1" } })).toBe("llama-server");
    expect(detectFlavor({ baseUrl: "http://h:8080", models: { data: [{ id: "m", owned_by: "llamacpp" }] } })).toBe("llama-server");
  });
  it("recognizes vLLM and SGLang by owned_by, the DeepSeek API by its host", () => {
    expect(detectFlavor({ baseUrl: "http://h:8000", models: { data: [{ id: "deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct", owned_by: "vllm" }] } })).toBe("vllm");
    expect(detectFlavor({ baseUrl: "http://h:30000", models: { data: [{ id: "m", owned_by: "sglang" }] } })).toBe("sglang");
    expect(detectFlavor({ baseUrl: "https://api.deepseek.com", models: { data: [{ id: "deepseek-chat", owned_by: "deepseek" }] } })).toBe("deepseek");
  });
  it("falls back to a generic OpenAI-compatible server", () => {
    expect(detectFlavor({ baseUrl: "http://h", props: { something: 1 }, models: { data: [{ id: "x", owned_by: "someone" }] } })).toBe("openai");
    expect(detectFlavor({ baseUrl: "http://h" })).toBe("openai");
  });
  it("isDeepSeekApi only matches the API host", () => {
    expect(isDeepSeekApi("https://api.deepseek.com/beta")).toBe(true);
    expect(isDeepSeekApi("https://deepseek.example.com")).toBe(false);
    expect(isDeepSeekApi("not a url")).toBe(false);
  });
});

describe("normalizeBaseUrl", () => {
  it("drops trailing slashes, /v1, /beta, query and hash", () => {
    expect(normalizeBaseUrl("http://gpu:8080/")).toBe("http://gpu:8080");
    expect(normalizeBaseUrl(" http://gpu:8000/v1 ")).toBe("http://gpu:8000");
    expect(normalizeBaseUrl("https://api.deepseek.com/beta/")).toBe("https://api.deepseek.com");
    expect(normalizeBaseUrl("https://proxy.corp/llm/v1?x=1#y")).toBe("https://proxy.corp/llm");
  });
  it("rejects non-http URLs and URLs with credentials, saying what to do", () => {
    expect(() => normalizeBaseUrl("gpu:8080")).toThrow(/http/);
    expect(() => normalizeBaseUrl("file:///etc/passwd")).toThrow(/http/);
    expect(() => normalizeBaseUrl("ftp://x")).toThrow(/http/);
    expect(() => normalizeBaseUrl("http://user:secret@gpu:8080")).toThrow(/API Key/);
    expect(() => normalizeBaseUrl("")).toThrow(/baseUrl/);
  });
});

describe("openAiUrl", () => {
  it("puts endpoints under /v1, and DeepSeek's beta features under /beta", () => {
    expect(openAiUrl("http://h", "vllm", "chat/completions")).toBe("http://h/v1/chat/completions");
    expect(openAiUrl("http://h", "vllm", "completions", true)).toBe("http://h/v1/completions");
    expect(openAiUrl("https://api.deepseek.com", "deepseek", "chat/completions")).toBe("https://api.deepseek.com/v1/chat/completions");
    expect(openAiUrl("https://api.deepseek.com", "deepseek", "completions", true)).toBe("https://api.deepseek.com/beta/completions");
  });
});
