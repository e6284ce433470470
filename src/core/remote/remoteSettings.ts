// Per-feature backend choice and the remote servers' settings, from the raw values VS Code hands
// over (anything a user can type into settings.json) to a checked, plain object: the shared server
// (deepseekLocal.remote.*) and, per feature, its own URL and model where it names them (issue 26).
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
  /** The shared server (deepseekLocal.remote.*); undefined when none is set (or its URL is unusable: see `problem`). */
  remote: RemoteSettings | undefined;
  /** What is wrong with the shared remote settings, in words a user can act on. */
  problem: string | undefined;
  /**
   * The server each feature uses when it runs remotely: its own (deepseekLocal.remote.<feature>.baseUrl
   * and .model, issue 26 item 3), else the shared one. Undefined where there is none: see `problems`.
   */
  servers: Record<BackendFeature, RemoteSettings | undefined>;
  /** Per feature, what is wrong with its server's settings. */
  problems: Record<BackendFeature, string | undefined>;
}

/** Reads one setting under `deepseekLocal.` (the caller's accessor over the configuration). */
export type SettingReader = (key: string) => unknown;

/** Headers that must not come from settings: the transport sets them. */
const protocolHeaders = new Set(["content-type", "accept", "content-length", "host", "transfer-encoding", "connection"]);

type ServerOptions = Omit<RemoteSettings, "baseUrl" | "model">;

export function readBackendSettings(read: SettingReader): BackendSettings {
  const backends = Object.fromEntries(
    backendFeatures.map((feature) => [feature, read(`backend.${feature}`) === "remote" ? "remote" : "local"]),
  ) as Record<BackendFeature, BackendKind>;
  const { options, problem: headerProblem } = readServerOptions(read);
  const shared = readServer(read, "remote", options);
  const sharedProblem = shared.problem ?? (shared.remote ? headerProblem : undefined);
  const servers = {} as Record<BackendFeature, RemoteSettings | undefined>;
  const problems = {} as Record<BackendFeature, string | undefined>;
  for (const feature of backendFeatures) {
    const own = readServer(read, `remote.${feature}`, { ...options, flavor: "auto", fim: "auto" });
    const ownModel = stringSetting(read(`remote.${feature}.model`));
    // A feature without its own URL uses the shared server, with its own model when it names one
    // (one server serving a Base and an Instruct model).
    // One whose own URL is unusable gets no server: its code must not go where the user did not point it.
    if (own.problem) servers[feature] = undefined;
    else servers[feature] = own.remote ?? (shared.remote && ownModel ? { ...shared.remote, model: ownModel } : shared.remote);
    if (own.problem || own.remote) problems[feature] = own.problem ?? headerProblem;
    else problems[feature] = shared.problem === missingSharedUrl ? missingUrlProblem(feature) : sharedProblem;
  }
  // No shared URL is a problem only for a remote feature that has no server of its own either.
  const unserved = backendFeatures.some((feature) => backends[feature] === "remote" && !servers[feature]);
  const problem = shared.problem === missingSharedUrl ? (unserved ? missingSharedUrl : undefined) : sharedProblem;
  return { backends, remote: shared.remote, problem, servers, problems };
}

const missingSharedUrl = "Set deepseekLocal.remote.baseUrl to the server's URL (e.g. http://gpu-server:8080).";

function missingUrlProblem(feature: BackendFeature): string {
  return `Set deepseekLocal.remote.baseUrl (or deepseekLocal.remote.${feature}.baseUrl) to the server's URL (e.g. http://gpu-server:8080).`;
}

/**
 * One server's URL and model under `prefix` ("remote" or "remote.<feature>"); the other options are
 * shared. A feature's own server is detected (flavor and FIM `auto`): the shared flavor setting
 * describes the shared server.
 */
function readServer(read: SettingReader, prefix: string, options: ServerOptions): { remote?: RemoteSettings; problem?: string } {
  const rawUrl = stringSetting(read(`${prefix}.baseUrl`));
  if (!rawUrl) return { problem: prefix === "remote" ? missingSharedUrl : undefined };
  try {
    return { remote: { baseUrl: normalizeBaseUrl(rawUrl, `deepseekLocal.${prefix}.baseUrl`), model: stringSetting(read(`${prefix}.model`)), ...options } };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

function stringSetting(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

/** The options every server shares: kind, FIM route, tools, headers, body extras, timeouts. */
function readServerOptions(read: SettingReader): { options: ServerOptions; problem: string | undefined } {
  const flavor = read("remote.flavor");
  const fim = read("remote.fim");
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
    options: {
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

/** A server and the features that use it (several features may share one). */
export interface ServerUse {
  server: RemoteSettings;
  features: BackendFeature[];
}

/**
 * The distinct servers the features use: those of the features set to `remote`, or, when none is,
 * every configured one (so a server can be tested before a feature is switched to it).
 */
export function serverUses(settings: BackendSettings): ServerUse[] {
  const remoteFeatures = backendFeatures.filter((feature) => settings.backends[feature] === "remote");
  const features = remoteFeatures.length ? remoteFeatures : backendFeatures;
  const uses = new Map<string, ServerUse>();
  for (const feature of features) {
    const server = settings.servers[feature];
    if (!server) continue;
    const key = JSON.stringify(server);
    const use = uses.get(key) ?? { server, features: [] };
    use.features.push(feature);
    uses.set(key, use);
  }
  return [...uses.values()];
}
