// Tools that other extensions register with VS Code (vscode.lm.tools, MCP servers' tools included),
// offered to our chat where the user named them in deepseekLocal.chat.externalTools. The editor edge
// lists and invokes them; here: which names the setting gives, and one tool set of ours and theirs.
import type { ToolRunner } from "../chat/chatTurn.js";

/** More tools than this would crowd the local model's tool step (its grammar and instructions). */
export const maxExternalTools = 16;

/** The tool names the setting gives (untrusted input): strings, trimmed, each once, a bounded number. */
export function externalToolNames(setting: unknown): string[] {
  if (!Array.isArray(setting)) return [];
  const names = setting.filter((name): name is string => typeof name === "string").map((name) => name.trim()).filter((name) => /^[\w.-]{1,64}$/.test(name));
  return [...new Set(names)].slice(0, maxExternalTools);
}

/**
 * Our tools and the external ones as one set: a call goes to the set that defines its name. Ours
 * keep their name: an external tool of the same name is left out, so it cannot stand in for a
 * workspace tool the user trusts.
 */
export function withExternalTools(own: ToolRunner, external: ToolRunner | undefined): ToolRunner {
  if (!external?.definitions.length) return own;
  const ownNames = new Set(own.definitions.map((tool) => tool.name));
  const added = external.definitions.filter((tool) => !ownNames.has(tool.name));
  if (!added.length) return own;
  const addedNames = new Set(added.map((tool) => tool.name));
  return {
    definitions: [...own.definitions, ...added],
    run: (call, signal) => (addedNames.has(call.name) ? external.run(call, signal) : own.run(call, signal)),
  };
}
