// What Test Remote Connection tells a user (issue 20, goal 3): per feature, what the configured
// server offers and what the extension does where it does not. Pure: the HTTP backend hands in
// what its probe found.
import type { ContextSource } from "./modelContext.js";
import { flavorCapabilities, flavorNames, type FimMode, type ServerFlavor } from "./serverFlavor.js";

/** What the probe found about a server. */
export interface ServerFacts {
  flavor: ServerFlavor;
  model: string | undefined;
  contextSize: number;
  contextSource: ContextSource;
  /** The FIM route in use (the flavor's, or the one set in deepseekLocal.remote.fim). */
  fim: FimMode;
  /** Ollama: the model's template cannot insert, so FIM goes as a raw prompt. */
  ollamaRawFim: boolean;
  /** The server calls tools itself; otherwise the JSON tool step stands in. */
  nativeTools: boolean;
  /** The server has a tokenizer endpoint we use. */
  serverTokenizer: boolean;
}

export interface FeatureSupport {
  feature: string;
  /** `native`: the server does it; `instead`: the extension does it another way. */
  support: "native" | "instead";
  detail: string;
}

export function capabilityReport(facts: ServerFacts): FeatureSupport[] {
  const caps = flavorCapabilities[facts.flavor];
  return [
    ghostTextSupport(facts),
    { feature: "chat", support: "native", detail: "streamed from the OpenAI chat endpoint" },
    { feature: "stop", support: "native", detail: "Stop closes the connection; the server stops generating" },
    prefixSupport(caps.assistantPrefix),
    facts.nativeTools
      ? { feature: "tools", support: "native", detail: "the server's function calling" }
      : { feature: "tools", support: "instead", detail: "emulated with a JSON step (the served model's template cannot call tools)" },
    caps.jsonSchema
      ? { feature: "JSON refactors", support: "native", detail: "response_format json_schema, checked again here" }
      : { feature: "JSON refactors", support: "instead", detail: "json_object with the schema in the prompt, validated here, with one repair round" },
    facts.serverTokenizer
      ? { feature: "token counts", support: "native", detail: "the server's tokenizer" }
      : { feature: "token counts", support: "instead", detail: "estimated here, corrected by the usage the server reports" },
    contextSupport(facts),
  ];
}

function ghostTextSupport(facts: ServerFacts): FeatureSupport {
  const feature = "ghost text";
  switch (facts.fim) {
    case "infill":
      return { feature, support: "native", detail: "llama-server /infill, which reuses its cached prompt" };
    case "suffix":
      return { feature, support: "native", detail: `prompt + suffix at ${facts.flavor === "deepseek" ? "/beta/completions" : "/v1/completions"}` };
    case "ollamaGenerate":
      return facts.ollamaRawFim
        ? { feature, support: "instead", detail: "the model's template cannot insert: DeepSeek's FIM tokens in a raw /api/generate prompt" }
        : { feature, support: "native", detail: "/api/generate with prompt + suffix" };
    case "fimTokens":
      return { feature, support: "instead", detail: "the server takes no suffix: DeepSeek's FIM tokens written into the /v1/completions prompt" };
  }
}

function prefixSupport(mode: (typeof flavorCapabilities)[ServerFlavor]["assistantPrefix"]): FeatureSupport {
  const feature = "prefix continuation";
  if (mode === "deepseekPrefix") return { feature, support: "native", detail: "prefix: true on the last assistant message, at /beta" };
  if (mode === "continueFinalMessage") return { feature, support: "native", detail: "continue_final_message" };
  return { feature, support: "native", detail: "the last assistant message is continued" };
}

function contextSupport(facts: ServerFacts): FeatureSupport {
  const feature = "context size";
  const size = facts.contextSize.toLocaleString("en-US");
  if (facts.contextSource === "server") return { feature, support: "native", detail: `${size} tokens, as the server says` };
  if (facts.contextSource === "table") return { feature, support: "instead", detail: `${size} tokens, from the documented size of ${facts.model}` };
  return { feature, support: "instead", detail: `${size} tokens assumed: neither the server nor our table knows ${facts.model ?? "the model"}` };
}

/** The report as lines for a message or the log. */
export function formatCapabilityReport(facts: ServerFacts, report = capabilityReport(facts)): string[] {
  const mark = { native: "✓", instead: "≈" } as const;
  return [`${flavorNames[facts.flavor]}${facts.model ? `, model ${facts.model}` : ""}`, ...report.map((line) => `${mark[line.support]} ${line.feature}: ${line.detail}`)];
}
