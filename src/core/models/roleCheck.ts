// Whether a GGUF file can serve completion and chat, judged from its metadata alone: each kind of
// unusable file gets its own message naming the file, the cause and what to do.
import type { ModelRole } from "./catalog.js";
import { deepseekFimTokenText } from "./deepseekFimTokens.js";

export const supportedArchitecture = "deepseek2";
/** llama.cpp pre-tokenizers of DeepSeek's byte-level BPE vocabularies (Coder-V2 and V3). */
export const supportedPreTokenizers = ["deepseek-coder", "deepseek-v3", "deepseek-llm"] as const;
/** Shorter than this, a completion prompt cannot hold the surrounding file and the answer. */
export const minimumUsefulContext = 4096;

export interface ModelHeaderFacts {
  architecture: string | null;
  name: string | null;
  tokenizerModel: string | null;
  tokenizerPre: string | null;
  vocabularySize: number;
  fimTokens: { prefix: boolean; suffix: boolean; middle: boolean };
  chatTemplate: string | null;
  contextLength: number | null;
}

const asString = (value: unknown): string | null => (typeof value === "string" && value.length > 0 ? value : null);
const asNumber = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : typeof value === "bigint" ? Number(value) : null;

/** Picks what the checks need out of flat GGUF metadata (keys as in the file). */
export function headerFactsFromMetadata(values: Readonly<Record<string, unknown>>): ModelHeaderFacts {
  const architecture = asString(values["general.architecture"]);
  const tokens = Array.isArray(values["tokenizer.ggml.tokens"]) ? (values["tokenizer.ggml.tokens"] as unknown[]) : [];
  const hasToken = (idKey: string, text: string): boolean => {
    const id = asNumber(values[idKey]);
    if (id !== null) return id >= 0 && (tokens.length === 0 || id < tokens.length);
    return tokens.includes(text);
  };
  return {
    architecture,
    name: asString(values["general.name"]),
    tokenizerModel: asString(values["tokenizer.ggml.model"]),
    tokenizerPre: asString(values["tokenizer.ggml.pre"]),
    vocabularySize: tokens.length,
    fimTokens: {
      prefix: hasToken("tokenizer.ggml.fim_pre_token_id", deepseekFimTokenText.fimPrefix),
      suffix: hasToken("tokenizer.ggml.fim_suf_token_id", deepseekFimTokenText.fimSuffix),
      middle: hasToken("tokenizer.ggml.fim_mid_token_id", deepseekFimTokenText.fimMiddle),
    },
    chatTemplate: asString(values["tokenizer.chat_template"]),
    contextLength: architecture ? asNumber(values[`${architecture}.context_length`]) : null,
  };
}

export type ModelHeaderProblemCode =
  | "notGguf"
  | "unsupportedArchitecture"
  | "unsupportedTokenizer"
  | "missingVocabulary"
  | "missingContextLength"
  | "contextTooShort"
  | "noFimTokens"
  | "noChatTemplate";

export interface ModelHeaderProblem {
  code: ModelHeaderProblemCode;
  /** "unusable": no role works; "role": `role` does not work; "advice": works, with a setting to change. */
  severity: "unusable" | "role" | "advice";
  role?: ModelRole;
  message: string;
}

export interface ModelHeaderVerdict {
  usableRoles: ModelRole[];
  problems: ModelHeaderProblem[];
}

export interface RoleCheckRequest {
  /** The file's name or path, for the messages. */
  file: string;
  roles: readonly ModelRole[];
  /** The context size the engine will ask for. */
  contextSize: number;
}

/** Checks the facts against the roles asked for. */
export function checkModelHeader(facts: ModelHeaderFacts, request: RoleCheckRequest): ModelHeaderVerdict {
  const { file } = request;
  const problems: ModelHeaderProblem[] = [];
  const fatal = (code: ModelHeaderProblemCode, message: string) => problems.push({ code, severity: "unusable", message });

  if (facts.architecture !== supportedArchitecture) {
    fatal(
      "unsupportedArchitecture",
      `${file} is a "${facts.architecture ?? "unknown"}" model; DeepSeek Local runs DeepSeek MoE models (llama.cpp architecture "deepseek2", e.g. DeepSeek-Coder-V2-Lite). Pick a DeepSeek-Coder-V2 GGUF.`,
    );
  }
  if (facts.vocabularySize === 0) {
    fatal("missingVocabulary", `${file} carries no vocabulary (tokenizer.ggml.tokens is missing or empty). Download the model again from a source that publishes complete GGUF files.`);
  } else if (facts.tokenizerModel !== "gpt2" || !(supportedPreTokenizers as readonly string[]).includes(facts.tokenizerPre ?? "")) {
    fatal(
      "unsupportedTokenizer",
      `${file} uses the tokenizer "${facts.tokenizerModel ?? "unknown"}/${facts.tokenizerPre ?? "no pre-tokenizer"}", not DeepSeek's byte-level BPE ("gpt2" with pre-tokenizer ${supportedPreTokenizers.join(", ")}). The file was converted with an old or foreign converter; use a GGUF converted by a recent llama.cpp.`,
    );
  }
  if (facts.contextLength === null) {
    fatal("missingContextLength", `${file} does not state its context length (${facts.architecture ?? "deepseek2"}.context_length). The file is incomplete or badly converted; download it again.`);
  } else if (facts.contextLength < Math.min(request.contextSize, minimumUsefulContext)) {
    fatal(
      "contextTooShort",
      `${file} was trained for ${facts.contextLength} tokens, fewer than the ${Math.min(request.contextSize, minimumUsefulContext)} completion and chat need. Pick a DeepSeek-Coder-V2 file (163,840 tokens).`,
    );
  } else if (facts.contextLength < request.contextSize) {
    // Usable, but beyond its trained length the model degrades: say so with the setting to change.
    problems.push({
      code: "contextTooShort",
      severity: "advice",
      message: `${file} was trained for ${facts.contextLength} tokens but deepseekLocal.engine.contextSize asks for ${request.contextSize}. Set the context size to ${facts.contextLength} or less.`,
    });
  }

  if (request.roles.includes("completion")) {
    const missing = (Object.keys(facts.fimTokens) as (keyof ModelHeaderFacts["fimTokens"])[]).filter((k) => !facts.fimTokens[k]);
    if (missing.length > 0) {
      problems.push({
        code: "noFimTokens",
        severity: "role",
        role: "completion",
        message: `${file} has no fill-in-the-middle tokens (missing: ${missing.join(", ")}), so it cannot do inline completion. Use DeepSeek-Coder-V2-Lite-Base or -Instruct, whose vocabulary has them.`,
      });
    }
  }
  if (request.roles.includes("chat") && !facts.chatTemplate) {
    problems.push({
      code: "noChatTemplate",
      severity: "role",
      role: "chat",
      message: `${file} has no chat template (tokenizer.chat_template), so chat would format prompts blindly. Use DeepSeek-Coder-V2-Lite-Instruct for chat; a Base file is meant for completion.`,
    });
  }

  const usableRoles = problems.some((p) => p.severity === "unusable")
    ? []
    : request.roles.filter((role) => !problems.some((p) => p.severity === "role" && p.role === role));
  return { usableRoles, problems };
}
