// The code-server route for the API tests (../shared/E2E-FACTS.md: the URL `payload` route does not
// load the extension on code-server 4.139.1; an environment variable given to code-server does
// reach the extension host). The harness installs this tiny test-only extension next to DeepSeek
// Local; when DEEPSEEK_LOCAL_API_TESTS names a file, it runs the suite with the full `vscode` API
// and writes the results there as JSON. Without the variable it does nothing.
import { writeFileSync, renameSync } from 'node:fs';
import * as vscode from 'vscode';
import { echoTool } from './echoTool.js';
import { runSuite } from './suite.js';

export const resultEnvVar = 'DEEPSEEK_LOCAL_API_TESTS';

export async function activate(): Promise<void> {
  const resultFile = process.env[resultEnvVar];
  if (!resultFile) return;
  // Another extension's tool, for languageModel.api.ts to offer to our chat.
  vscode.lm.registerTool<{ text: string }>(echoTool.name, {
    invoke: (options) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(`echo: ${options.input.text}`)]),
  });
  const lines: string[] = [];
  const results = await runSuite((line) => lines.push(line));
  // Written whole, then renamed: the harness never reads half a file.
  writeFileSync(`${resultFile}.tmp`, JSON.stringify({ results, log: lines }, null, 2));
  renameSync(`${resultFile}.tmp`, resultFile);
}

export function deactivate(): void {}
