// The chat's tools: read a file, list a folder, search the workspace's text. The model chooses the
// paths, so every path is untrusted: it is resolved against the workspace folders, checked
// lexically, then checked again after resolving symlinks (a link inside the workspace that points
// outside it is refused). Results are size-capped so a tool cannot flood the context window, and
// only the bytes returned are read (issue 19, item 11).
// Privacy (issue 19, item 7): files that look like secrets (.env, keys, .git/…), files git ignores and
// files hidden by files.exclude are refused, skipped by search and marked in listings, unless the user
// opted in (files.exclude'd ones even then); a
// recognisable secret in any other file is redacted, so no result kept in the history carries one.
// With several workspace folders, paths start with the folder's name, in results and in requests.
import * as nodeFs from "node:fs/promises";
import path from "node:path";
import type { ToolCall, ToolDefinition } from "../engine/chatEngine.js";
import { validateJsonValue } from "../json/validateJson.js";
import { WorkspaceGitIgnores } from "../privacy/gitIgnore.js";
import { defaultPrivacySettings, privatePathReason, type PrivacySettings } from "../privacy/secretPaths.js";
import { redactSecrets } from "../privacy/secretText.js";
import type { ReadLedger } from "./readLedger.js";

/** The file-system calls the tools make; tests hand in node's, the extension too. */
export interface ToolFileSystem {
  realpath(target: string): Promise<string>;
  stat(target: string): Promise<{ isFile(): boolean; isDirectory(): boolean; size: number }>;
  /** The first `maxBytes` bytes of a file (fewer when it is shorter): never the whole of a large file. */
  readHead(target: string, maxBytes: number): Promise<Uint8Array>;
  readdir(target: string): Promise<{ name: string; isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }[]>;
}

async function readHead(target: string, maxBytes: number): Promise<Uint8Array> {
  const handle = await nodeFs.open(target, "r");
  try {
    const buffer = new Uint8Array(Math.max(0, maxBytes));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

export const nodeToolFileSystem: ToolFileSystem = {
  realpath: (target) => nodeFs.realpath(target),
  stat: (target) => nodeFs.stat(target),
  readHead,
  readdir: (target) => nodeFs.readdir(target, { withFileTypes: true }),
};

export interface ToolLimits {
  maxFileBytes: number;
  maxListEntries: number;
  maxSearchMatches: number;
  maxSearchFiles: number;
  maxSearchFileBytes: number;
}

export const defaultToolLimits: ToolLimits = {
  maxFileBytes: 24_000,
  maxListEntries: 200,
  maxSearchMatches: 40,
  maxSearchFiles: 3_000,
  maxSearchFileBytes: 512_000,
};

/** Folders a search never walks: generated, vendored or VCS data. */
const skippedFolders = new Set([".git", "node_modules", "dist", "out", "build", ".cache", ".venv", "__pycache__", "target"]);

export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolError";
  }
}

const pathArgument = { type: "string", minLength: 1, maxLength: 240 };

export const workspaceToolDefinitions: readonly ToolDefinition[] = [
  {
    name: "read_file",
    description:
      "Read a text file of the workspace (path relative to the workspace folder; with several folders open, start with the folder's name, as search_text and list_folder show them).",
    parameters: { type: "object", properties: { path: pathArgument }, required: ["path"], additionalProperties: false },
  },
  {
    name: "list_folder",
    description: "List the files and folders in a workspace folder (\".\" is the workspace root; with several folders open, it lists them).",
    parameters: { type: "object", properties: { path: pathArgument }, required: ["path"], additionalProperties: false },
  },
  {
    name: "search_text",
    description: "Find lines containing a text (case-insensitive) in the workspace's files.",
    parameters: { type: "object", properties: { query: { type: "string", minLength: 2, maxLength: 120 } }, required: ["query"], additionalProperties: false },
  },
];

/** `..` itself or a path starting with `../` leaves the folder; `..notes.md` is a name inside it. */
function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === "" || (relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

function slashes(relative: string): string {
  return relative.split(path.sep).join("/");
}

export class WorkspaceTools {
  private readonly rootNames: string[];
  private readonly privacy: PrivacySettings;

  constructor(
    /** Absolute paths of the workspace folders. With one, paths are relative to it; with several, they start with a folder's name. */
    private readonly roots: readonly string[],
    private readonly fs: ToolFileSystem = nodeToolFileSystem,
    private readonly limits: ToolLimits = defaultToolLimits,
    privacy: PrivacySettings = defaultPrivacySettings,
    /** Records what read_file showed, so that a later edit of a changed file is refused. */
    private readonly ledger?: ReadLedger,
  ) {
    this.rootNames = roots.map((root) => path.basename(path.resolve(root)));
    // Handed no .gitignore rules (the editor's are cached and watched), the tools read them from
    // disk themselves: a caller that forgets them must not make ignored files readable.
    this.privacy = privacy.ignoredFiles ? privacy : { ...privacy, ignoredFiles: new WorkspaceGitIgnores() };
  }

  private get multiRoot(): boolean {
    return this.roots.length > 1;
  }

  /** Where a relative request starts: the folder it names (several folders), else the first folder. */
  private base(requested: string): string {
    if (this.multiRoot) {
      const first = requested.split(/[\\/]/)[0];
      const index = this.rootNames.indexOf(first ?? "");
      if (index >= 0) return path.dirname(path.resolve(this.roots[index]!));
    }
    return this.roots[0]!;
  }

  /** How results name a path under a folder: relative, after the folder's name when there are several. */
  private display(rootIndex: number, relative: string): string {
    const shown = slashes(relative) || ".";
    return this.multiRoot ? (shown === "." ? this.rootNames[rootIndex]! : `${this.rootNames[rootIndex]}/${shown}`) : shown;
  }

  /** Why a path under a folder is private (see secretPaths.ts), or undefined. */
  private privateReason(root: string, target: string, directory?: boolean): string | undefined {
    const relative = slashes(path.relative(root, target));
    return relative ? privatePathReason(relative, this.privacy, { root, directory }) : undefined;
  }

  private refusePrivate(requested: string, reason: string): never {
    throw new ToolError(
      `${requested} is private (${reason}): its contents are not shared with the model. Answer without it, or ask the user to paste what is needed. ` +
        "(The user can allow such files with the deepseekLocal.privacy.allowSecretFiles setting.)",
    );
  }

  /** Where a requested path points, lexically, and the workspace folder that holds it; a ToolError outside. */
  private candidate(requested: string): { candidate: string; rootIndex: number; root: string } {
    if (!this.roots.length) throw new ToolError("No folder is open, so there is no workspace to read.");
    if (!requested || requested.includes("\0")) throw new ToolError("The path is empty or invalid.");
    const candidate = path.isAbsolute(requested) ? path.resolve(requested) : path.resolve(this.base(requested), requested);
    const roots = this.roots.map((r) => path.resolve(r));
    // The deepest folder that holds the path (folders may nest).
    const rootIndex = roots.reduce((best, r, i) => (isInside(r, candidate) && (best < 0 || r.length > roots[best]!.length) ? i : best), -1);
    if (rootIndex < 0) throw new ToolError(`${requested} is outside the workspace.`);
    return { candidate, rootIndex, root: roots[rootIndex]! };
  }

  /**
   * The real path of `requested` if it lies inside a workspace folder, after following symlinks,
   * and is not private; a ToolError otherwise.
   */
  async resolve(requested: string): Promise<{ root: string; real: string; rootIndex: number }> {
    const { candidate, rootIndex, root } = this.candidate(requested);
    let real: string;
    try {
      real = await this.fs.realpath(candidate);
    } catch {
      throw new ToolError(`${requested} does not exist.`);
    }
    const realRoot = await this.fs.realpath(root);
    if (!isInside(realRoot, real)) throw new ToolError(`${requested} leads outside the workspace (a symbolic link).`);
    // Both names count: the one asked for, and the file a link inside the workspace leads to.
    const reason = this.privateReason(root, candidate) ?? this.privateReason(realRoot, real);
    if (reason) this.refusePrivate(requested, reason);
    return { root: realRoot, real, rootIndex };
  }

  /**
   * A path to write: an existing one as `resolve` checks it, or a new one (a file to create, a
   * rename's target) whose nearest existing folder lies inside the workspace, after following
   * symlinks, and whose name is not private. `shown` is how results name it.
   */
  async resolveForWrite(requested: string): Promise<{ real: string; exists: boolean; shown: string }> {
    const { candidate, rootIndex, root } = this.candidate(requested);
    const realRoot = await this.fs.realpath(root);
    const existing = await this.fs.realpath(candidate).catch(() => undefined);
    if (existing !== undefined) {
      const resolved = await this.resolve(requested);
      return { real: resolved.real, exists: true, shown: this.display(rootIndex, path.relative(resolved.root, resolved.real)) };
    }
    let folder = path.dirname(candidate);
    let realFolder: string | undefined;
    while (realFolder === undefined) {
      realFolder = await this.fs.realpath(folder).catch(() => undefined);
      if (realFolder === undefined) folder = path.dirname(folder);
    }
    const real = path.join(realFolder, path.relative(folder, candidate));
    if (!isInside(realRoot, real)) throw new ToolError(`${requested} leads outside the workspace (a symbolic link).`);
    const reason = this.privateReason(root, candidate);
    if (reason) this.refusePrivate(requested, reason);
    return { real, exists: false, shown: this.display(rootIndex, path.relative(realRoot, real)) };
  }

  /** Runs one tool call; the text result is what goes back to the model (errors included). */
  async run(call: ToolCall): Promise<{ ok: boolean; content: string }> {
    const definition = workspaceToolDefinitions.find((tool) => tool.name === call.name);
    if (!definition) return { ok: false, content: `Unknown tool ${call.name}.` };
    let args: unknown;
    try {
      args = JSON.parse(call.arguments);
    } catch {
      return { ok: false, content: "The tool arguments are not valid JSON." };
    }
    const checked = validateJsonValue<{ path?: string; query?: string }>(definition.parameters, args);
    if (!checked.ok) return { ok: false, content: `Invalid arguments: ${checked.error}` };
    try {
      if (call.name === "read_file") return { ok: true, content: await this.readFile(checked.value.path!) };
      if (call.name === "list_folder") return { ok: true, content: await this.listFolder(checked.value.path!) };
      return { ok: true, content: await this.searchText(checked.value.query!) };
    } catch (error) {
      if (error instanceof ToolError) return { ok: false, content: error.message };
      return { ok: false, content: `The tool failed: ${(error as Error).message}` };
    }
  }

  async readFile(requested: string): Promise<string> {
    const { real } = await this.resolve(requested);
    const info = await this.fs.stat(real);
    if (!info.isFile()) throw new ToolError(`${requested} is not a file.`);
    // Only what is returned is read: a 2 GiB log costs 24 KB, not 2 GiB of the extension host's memory.
    const shown = await this.fs.readHead(real, Math.min(info.size, this.limits.maxFileBytes));
    if (shown.includes(0)) throw new ToolError(`${requested} is a binary file.`);
    this.ledger?.record(real, shown, info.size);
    const truncated = info.size > shown.length;
    // A cut in the middle of a multi-byte character leaves a replacement character: drop it.
    let text = new TextDecoder().decode(shown);
    if (truncated) text = text.replace(/\uFFFD+$/, "");
    text = redactSecrets(text).text;
    return truncated ? `${text}\n… (truncated: ${info.size} bytes, first ${shown.length} shown)` : text;
  }

  async listFolder(requested: string): Promise<string> {
    if (this.multiRoot && [".", "./", ".\\"].includes(path.normalize(requested))) return this.rootNames.map((name) => `${name}/`).join("\n");
    const { real, root } = await this.resolve(requested);
    const info = await this.fs.stat(real);
    if (!info.isDirectory()) throw new ToolError(`${requested} is not a folder.`);
    const entries = (await this.fs.readdir(real)).sort((a, b) => a.name.localeCompare(b.name));
    const lines = entries.slice(0, this.limits.maxListEntries).map((entry) => {
      const name = entry.isDirectory() ? `${entry.name}/` : entry.name;
      return this.privateReason(root, path.join(real, entry.name), entry.isDirectory()) ? `${name} (private: not readable)` : name;
    });
    if (entries.length > lines.length) lines.push(`… (${entries.length - lines.length} more)`);
    return lines.length ? lines.join("\n") : "(empty folder)";
  }

  async searchText(query: string): Promise<string> {
    const needle = query.toLowerCase();
    const matches: string[] = [];
    let filesSeen = 0;
    for (const [rootIndex, root] of this.roots.entries()) {
      const realRoot = await this.fs.realpath(root);
      const pending = [realRoot];
      while (pending.length && matches.length < this.limits.maxSearchMatches && filesSeen < this.limits.maxSearchFiles) {
        const folder = pending.shift()!;
        for (const entry of await this.fs.readdir(folder).catch(() => [])) {
          // Symbolic links are not followed: they may lead outside the workspace.
          if (entry.isSymbolicLink()) continue;
          const full = path.join(folder, entry.name);
          // Private files and folders are not searched: a match would show their text.
          if (this.privateReason(realRoot, full, entry.isDirectory())) continue;
          if (entry.isDirectory()) {
            if (!skippedFolders.has(entry.name)) pending.push(full);
            continue;
          }
          if (!entry.isFile() || ++filesSeen > this.limits.maxSearchFiles) continue;
          await this.searchFile(full, this.display(rootIndex, path.relative(realRoot, full)), needle, matches);
          if (matches.length >= this.limits.maxSearchMatches) break;
        }
      }
    }
    if (!matches.length) return `No line contains "${query}".`;
    const capped = matches.length >= this.limits.maxSearchMatches ? `\n… (stopped at ${matches.length} matches)` : "";
    return matches.join("\n") + capped;
  }

  /** Adds the file's matching lines as `shown:line: text`, secrets redacted. */
  private async searchFile(file: string, shown: string, needle: string, matches: string[]): Promise<void> {
    const info = await this.fs.stat(file).catch(() => undefined);
    if (!info || info.size > this.limits.maxSearchFileBytes) return;
    const bytes = await this.fs.readHead(file, this.limits.maxSearchFileBytes).catch(() => undefined);
    if (!bytes || bytes.subarray(0, 8000).includes(0)) return;
    // Redacted before searching: a query cannot find (and show) a secret. Line numbers are kept.
    const lines = redactSecrets(new TextDecoder().decode(bytes)).text.split("\n");
    for (let i = 0; i < lines.length && matches.length < this.limits.maxSearchMatches; i++) {
      const line = lines[i]!;
      if (line.toLowerCase().includes(needle)) matches.push(`${shown}:${i + 1}: ${line.trim().slice(0, 200)}`);
    }
  }
}
