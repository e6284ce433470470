// The chat's tools: read a file, list a folder, search the workspace's text. The model chooses the
// paths, so every path is untrusted: it is resolved against the workspace folders, checked
// lexically, then checked again after resolving symlinks (a link inside the workspace that points
// outside it is refused). Results are size-capped so a tool cannot flood the context window.
import * as nodeFs from "node:fs/promises";
import path from "node:path";
import type { ToolCall, ToolDefinition } from "../../backends/engine.js";
import { validateJsonValue } from "../json/validateJson.js";

/** The file-system calls the tools make; tests hand in node's, the extension too. */
export interface ToolFileSystem {
  realpath(target: string): Promise<string>;
  stat(target: string): Promise<{ isFile(): boolean; isDirectory(): boolean; size: number }>;
  readFile(target: string): Promise<Uint8Array>;
  readdir(target: string): Promise<{ name: string; isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }[]>;
}

export const nodeToolFileSystem: ToolFileSystem = {
  realpath: (target) => nodeFs.realpath(target),
  stat: (target) => nodeFs.stat(target),
  readFile: (target) => nodeFs.readFile(target),
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
    description: "Read a text file of the workspace (path relative to the workspace folder).",
    parameters: { type: "object", properties: { path: pathArgument }, required: ["path"], additionalProperties: false },
  },
  {
    name: "list_folder",
    description: "List the files and folders in a workspace folder (\".\" is the workspace root).",
    parameters: { type: "object", properties: { path: pathArgument }, required: ["path"], additionalProperties: false },
  },
  {
    name: "search_text",
    description: "Find lines containing a text (case-insensitive) in the workspace's files.",
    parameters: { type: "object", properties: { query: { type: "string", minLength: 2, maxLength: 120 } }, required: ["query"], additionalProperties: false },
  },
];

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

export class WorkspaceTools {
  constructor(
    /** Absolute paths of the workspace folders; the first one resolves relative paths. */
    private readonly roots: readonly string[],
    private readonly fs: ToolFileSystem = nodeToolFileSystem,
    private readonly limits: ToolLimits = defaultToolLimits,
  ) {}

  /**
   * The real path of `requested` if it lies inside a workspace folder, after following symlinks;
   * a ToolError otherwise. Relative paths are taken from the first folder.
   */
  async resolve(requested: string): Promise<{ root: string; real: string }> {
    if (!this.roots.length) throw new ToolError("No folder is open, so there is no workspace to read.");
    if (!requested || requested.includes("\0")) throw new ToolError("The path is empty or invalid.");
    const candidate = path.isAbsolute(requested) ? path.resolve(requested) : path.resolve(this.roots[0]!, requested);
    const root = this.roots.map((r) => path.resolve(r)).find((r) => isInside(r, candidate));
    if (!root) throw new ToolError(`${requested} is outside the workspace.`);
    let real: string;
    try {
      real = await this.fs.realpath(candidate);
    } catch {
      throw new ToolError(`${requested} does not exist.`);
    }
    const realRoot = await this.fs.realpath(root);
    if (!isInside(realRoot, real)) throw new ToolError(`${requested} leads outside the workspace (a symbolic link).`);
    return { root: realRoot, real };
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
    const bytes = await this.fs.readFile(real);
    const shown = bytes.subarray(0, this.limits.maxFileBytes);
    if (shown.includes(0)) throw new ToolError(`${requested} is a binary file.`);
    const text = new TextDecoder().decode(shown);
    return bytes.length > shown.length ? `${text}\n… (truncated: ${bytes.length} bytes, first ${shown.length} shown)` : text;
  }

  async listFolder(requested: string): Promise<string> {
    const { real } = await this.resolve(requested);
    const info = await this.fs.stat(real);
    if (!info.isDirectory()) throw new ToolError(`${requested} is not a folder.`);
    const entries = (await this.fs.readdir(real)).sort((a, b) => a.name.localeCompare(b.name));
    const lines = entries.slice(0, this.limits.maxListEntries).map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name));
    if (entries.length > lines.length) lines.push(`… (${entries.length - lines.length} more)`);
    return lines.length ? lines.join("\n") : "(empty folder)";
  }

  async searchText(query: string): Promise<string> {
    const needle = query.toLowerCase();
    const matches: string[] = [];
    let filesSeen = 0;
    for (const root of this.roots) {
      const realRoot = await this.fs.realpath(root);
      const pending = [realRoot];
      while (pending.length && matches.length < this.limits.maxSearchMatches && filesSeen < this.limits.maxSearchFiles) {
        const folder = pending.shift()!;
        for (const entry of await this.fs.readdir(folder).catch(() => [])) {
          // Symbolic links are not followed: they may lead outside the workspace.
          if (entry.isSymbolicLink()) continue;
          const full = path.join(folder, entry.name);
          if (entry.isDirectory()) {
            if (!skippedFolders.has(entry.name)) pending.push(full);
            continue;
          }
          if (!entry.isFile() || ++filesSeen > this.limits.maxSearchFiles) continue;
          await this.searchFile(full, realRoot, needle, matches);
          if (matches.length >= this.limits.maxSearchMatches) break;
        }
      }
    }
    if (!matches.length) return `No line contains "${query}".`;
    const capped = matches.length >= this.limits.maxSearchMatches ? `\n… (stopped at ${matches.length} matches)` : "";
    return matches.join("\n") + capped;
  }

  private async searchFile(file: string, root: string, needle: string, matches: string[]): Promise<void> {
    const info = await this.fs.stat(file).catch(() => undefined);
    if (!info || info.size > this.limits.maxSearchFileBytes) return;
    const bytes = await this.fs.readFile(file);
    if (bytes.subarray(0, 8000).includes(0)) return;
    const lines = new TextDecoder().decode(bytes).split("\n");
    const relative = path.relative(root, file).split(path.sep).join("/");
    for (let i = 0; i < lines.length && matches.length < this.limits.maxSearchMatches; i++) {
      const line = lines[i]!;
      if (line.toLowerCase().includes(needle)) matches.push(`${relative}:${i + 1}: ${line.trim().slice(0, 200)}`);
    }
  }
}
