// Other extensions' tools (vscode.lm.tools, MCP tools included) for our chat: the ones the user
// named in deepseekLocal.chat.externalTools, invoked through vscode.lm.invokeTool (VS Code asks the
// user where a tool wants confirmation). Not offered in Restricted Mode: a tool may run anything.
import * as vscode from "vscode";
import type { ToolRunner } from "../../core/chat/chatTurn.js";
import { toToolDefinitions } from "../../core/languageModel/lmTools.js";
import { lmToolResultText } from "./lmParts.js";

/** The named tools VS Code knows now, or undefined when none is (or the workspace is not trusted). */
export function externalToolRunner(names: readonly string[], options: { grammarSafe: boolean; log: (line: string) => void }): ToolRunner | undefined {
  if (!names.length || !vscode.workspace.isTrusted) return undefined;
  const known = vscode.lm.tools.filter((tool) => names.includes(tool.name));
  const missing = names.filter((name) => !known.some((tool) => tool.name === name));
  if (missing.length) options.log(`chat: external tools not registered in VS Code now: ${missing.join(", ")}`);
  const definitions = toToolDefinitions(
    known.map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema })),
    { grammarSafe: options.grammarSafe },
  );
  if (!definitions) return undefined;
  return { definitions, run: (call, signal) => invokeExternalTool(call.name, call.arguments, signal) };
}

async function invokeExternalTool(name: string, args: string, signal: AbortSignal | undefined): Promise<{ ok: boolean; content: string }> {
  let input: unknown;
  try {
    input = JSON.parse(args || "{}");
  } catch {
    return { ok: false, content: `The arguments for ${name} are not JSON.` };
  }
  const source = new vscode.CancellationTokenSource();
  const cancel = () => source.cancel();
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    const result = await vscode.lm.invokeTool(name, { input: input as object, toolInvocationToken: undefined }, source.token);
    return { ok: true, content: lmToolResultText(result.content) };
  } catch (error) {
    return { ok: false, content: `The tool ${name} failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    signal?.removeEventListener("abort", cancel);
    source.dispose();
  }
}
