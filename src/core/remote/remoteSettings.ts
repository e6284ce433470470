// Per-feature backend choice and the remote server's settings, from the raw values VS Code hands
// over (anything a user can type into settings.json) to a checked, plain object.
import { isHeaderName, isSecretHeaderName } from "./secretHeaders.js";
import { fimModes, normalizeBaseUrl, serverFlavors, type FimMode, type ServerFlavor } from "./serverFlavor.js";

export const backendFeatures = ["completion", "chat", "refactor"] as const;
export type BackendFeature = (typeof backendFeatures)[number];
export type BackendKind = "local" | "remote";

export interface RemoteSettings {
  baseUrl: string;
  model: string | undefined;
  flavor: ServerFlavor | "auto";
  fim: FimMode | "auto";
  tools: "auto" | "native" | "emulated";
  headers: Record<string, string>;
  extraBody: Record<string, unknown>;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  maxRetries: number;
}

export interface BackendSettings {
  backends: Record<BackendFeature, BackendKind>;
  /** Undefined when no remote server is configured (or its URL is unusable: see `problem`). */
  remote: RemoteSettings | undefined;
  /** What is wrong with the remote settings, in words a user can act on. */
  problem: string | undefined;
}

/** Reads one setting under `deepseekLocal.` (the caller's accessor over the configuration). */
export type SettingReader = (key: string) => unknown;

/** Headers that must not come from settings: the transport sets them. */
const protocolHeaders = new Set(["content-type", "accept", "content-length", "host", "transfer-encoding", "connection"]);

export function readBackendSettings(read: SettingReader): BackendSettings {
  const backends = Object.fromEntries(
    backendFeatures.map((feature) => [feature, read(`backend.${feature}`) === "remote" ? "remote" : "local"]),
  ) as Record<BackendFeature, BackendKind>;
  const rawUrl = typeof read("remote.baseUrl") === "string" ? (read("remote.baseUrl") as string).trim() : "";
  const wantsRemote = Object.values(backends).includes("remote");
  if (!rawUrl) {
    return { backends, remote: undefined, problem: wantsRemote ? "Set deepseekLocal.remote.baseUrl to the server's URL (e.g. http://gpu-server:8080)." : undefined };
  }
  let baseUrl: string;
  try {
    baseUrl = normalizeBaseUrl(rawUrl);
  } catch (error) {
    return { backends, remote: undefined, problem: (error as Error).message };
  }
  const flavor = read("remote.flavor");
  const fim = read("remote.fim");
  const model = read("remote.model");
  const tools = read("remote.tools");
  const problems: string[] = [];
  const headers: Record<string, string> = {};
  const rawHeaders = read("remote.headers");
  if (rawHeaders && typeof rawHeaders === "object") {
    for (const [name, value] of Object.entries(rawHeaders)) {
      if (typeof value !== "string" || !isHeaderName(name)) problems.push(`header "${name}" is not a valid name: string pair`);
      else if (name.toLowerCase() === "authorization") problems.push(`header "${name}" is not sent from settings: store the key with the "DeepSeek Local: Set Remote API Key" command`);
      else if (isSecretHeaderName(name)) {
        // Settings are synced and shared; a credential there is refused, not sent (issue 19, item 9).
        problems.push(`header "${name}" looks like a secret and is not sent from settings: store it with the "DeepSeek Local: Set Remote Header Secret" command`);
      } else if (protocolHeaders.has(name.toLowerCase())) problems.push(`header "${name}" cannot be set in settings`);
      else headers[name] = value;
    }
  }
  const extraBody = read("remote.extraBody");
  return {
    backends,
    remote: {
      baseUrl,
      model: typeof model === "string" && model.trim() ? model.trim() : undefined,
      flavor: typeof flavor === "string" && (serverFlavors as readonly string[]).includes(flavor) ? (flavor as ServerFlavor) : "auto",
      fim: (fimModes as readonly unknown[]).includes(fim) ? (fim as FimMode) : "auto",
      tools: tools === "native" || tools === "emulated" ? tools : "auto",
      headers,
      extraBody: extraBody && typeof extraBody === "object" && !Array.isArray(extraBody) ? (extraBody as Record<string, unknown>) : {},
      requestTimeoutMs: clampNumber(read("remote.timeoutMs"), 30_000, 1_000, 600_000),
      idleTimeoutMs: clampNumber(read("remote.streamIdleTimeoutMs"), 30_000, 1_000, 600_000),
      maxRetries: clampNumber(read("remote.maxRetries"), 2, 0, 10),
    },
    problem: problems.length ? `deepseekLocal.remote.headers: ${problems.join("; ")}.` : undefined,
  };
}

function clampNumber(value: unknown, fallback: number, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.round(value)));
}
