// What a server is, asked once per HttpEngine: its kind (GET /props, /v1/models, Ollama's
// /api/version, LM Studio's /api/v0/models), its model, context size and whether it calls tools.
import { lmStudioContextSize, ollamaContextSize, remoteContext, type ContextSource } from "../../core/remote/modelContext.js";
import { detectFlavor, flavorNames, openAiUrl, type ServerFlavor } from "../../core/remote/serverFlavor.js";
import type { ModelInfo } from "../../protocol/engine.js";
import type { HttpTransport } from "./httpTransport.js";
import { LlamaProps, LlamaServerApi } from "./llamaServerApi.js";
import { RemoteEngineError } from "./remoteError.js";

/** The engine options the probe reads. */
export interface ProbeOptions {
  /** "auto" (or none) detects the kind; a kind set in settings skips the others' probes. */
  flavor?: ServerFlavor | "auto";
  model?: string;
  tools?: "auto" | "native" | "emulated";
  log?: (line: string) => void;
}

export interface ServerDescription {
  flavor: ServerFlavor;
  model: string | undefined;
  llama: LlamaServerApi | undefined;
  nativeTools: boolean;
  /** Ollama only: the model's template cannot insert, so FIM goes as a raw prompt with the tokens. */
  ollamaRawFim: boolean;
  contextSource: ContextSource;
  info: ModelInfo;
}

interface ProbeAnswers {
  props: unknown;
  models: unknown;
  ollamaVersion: unknown;
  lmStudioModels: unknown;
}

/** What the server's discovery endpoints answer; a flavor set in settings skips the others' probes. */
async function probeEndpoints(transport: HttpTransport, baseUrl: string, configured: ServerFlavor | undefined): Promise<ProbeAnswers> {
  const get = (url: string, wanted: boolean) => (wanted ? transport.getJson(url).catch(ignoreMissing) : Promise.resolve(undefined));
  const auto = configured === undefined;
  const [props, models, ollamaVersion, lmStudioModels] = await Promise.all([
    get(`${baseUrl}/props`, auto || configured === "llama-server"),
    get(openAiUrl(baseUrl, configured ?? "openai", "models"), true),
    get(`${baseUrl}/api/version`, auto),
    get(`${baseUrl}/api/v0/models`, auto || configured === "lmstudio"),
  ]);
  return { props, models, ollamaVersion, lmStudioModels };
}

/** Ollama's POST /api/show: context size and capabilities ("insert" = FIM, "tools"). */
async function ollamaShow(transport: HttpTransport, baseUrl: string, model: string | undefined): Promise<{ contextSize?: number; capabilities?: string[] }> {
  if (!model) return {};
  const show = (await transport.postJson(`${baseUrl}/api/show`, { model }).catch(ignoreMissing)) as { capabilities?: unknown } | undefined;
  const capabilities = Array.isArray(show?.capabilities) ? show.capabilities.filter((c): c is string => typeof c === "string") : undefined;
  return { contextSize: ollamaContextSize(show), capabilities };
}

/** Probes the server once: which kind it is, its model, context size and what it can do. */
export async function probeServer(transport: HttpTransport, baseUrl: string, options: ProbeOptions): Promise<ServerDescription> {
  const started = performance.now();
  const configured = options.flavor && options.flavor !== "auto" ? options.flavor : undefined;
  const answers = await probeEndpoints(transport, baseUrl, configured);
  const flavor = configured ?? detectFlavor({ baseUrl: baseUrl, ...answers });
  const props = flavor === "llama-server" ? LlamaProps.safeParse(answers.props ?? {}) : undefined;
  if (flavor === "llama-server" && !props?.success) {
    throw new RemoteEngineError("remoteBadResponse", `${baseUrl}/props did not describe a llama-server; set deepseekLocal.remote.flavor.`);
  }
  const models = listedModels(answers.models);
  const model = options.model?.trim() || models[0]?.id;
  const listed = models.find((m) => m.id === model);
  const llama = props?.success ? new LlamaServerApi(transport, baseUrl, props.data) : undefined;
  const special = llama ? await llama.specialTokenIds() : undefined;
  const ollama = flavor === "ollama" ? await ollamaShow(transport, baseUrl, model) : {};
  const p = props?.success ? props.data : undefined;
  options.log?.(`remote backend: ${flavorNames[flavor]} at ${baseUrl}, model ${model ?? "(server default)"}`);
  const caps = p?.chat_template_caps as { supports_tool_calls?: unknown } | undefined;
  const toolsMode = options.tools ?? "auto";
  const serverCannotCallTools = caps?.supports_tool_calls === false || (ollama.capabilities !== undefined && !ollama.capabilities.includes("tools"));
  const nativeTools = toolsMode === "native" || (toolsMode === "auto" && !serverCannotCallTools);
  const reported = [p?.default_generation_settings?.n_ctx, listed?.meta?.n_ctx, listed?.max_model_len, ollama.contextSize, lmStudioContextSize(answers.lmStudioModels, model)];
  const context = remoteContext(model, reported);
  return {
    flavor,
    model,
    llama,
    nativeTools,
    ollamaRawFim: ollama.capabilities !== undefined && !ollama.capabilities.includes("insert"),
    contextSource: context.source,
    info: {
      path: `${baseUrl}${model ? ` · ${model}` : ""}`,
      name: model ?? p?.model_path ?? null,
      architecture: "remote",
      sizeBytes: listed?.meta?.size ?? 0,
      contextSize: context.size,
      trainContextSize: listed?.meta?.n_ctx_train ?? null,
      vocabularySize: listed?.meta?.n_vocab ?? 0,
      specialTokens: special ?? { bos: null, eos: null, fimPrefix: null, fimSuffix: null, fimMiddle: null },
      chatTemplate: p?.chat_template ?? null,
      synthetic: false,
      gpu: false,
      gpuLayers: 0,
      totalLayers: null,
      loadMs: Math.round(performance.now() - started),
      engineBuild: `${flavor}${p?.build_info ? ` ${p.build_info}` : ""}`,
    },
  };
}

interface ListedModel {
  id: string;
  max_model_len?: number;
  meta?: { size?: number; n_ctx?: number; n_ctx_train?: number; n_vocab?: number };
}

function listedModels(raw: unknown): ListedModel[] {
  const data = (raw as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) return [];
  return data.filter((m): m is ListedModel => !!m && typeof (m as { id?: unknown }).id === "string");
}

/** A probe endpoint the server lacks (404, or a server that is not llama-server) is an answer too. */
function ignoreMissing(error: unknown): undefined {
  if (error instanceof RemoteEngineError && (error.code === "remoteNotFound" || error.code === "remoteBadResponse" || error.code === "invalidRequest")) {
    return undefined;
  }
  throw error;
}
