// A tool the API test companion registers with VS Code (vscode.lm.registerTool, in companion.ts),
// standing for any other extension's tool: languageModel.api.ts offers it to our chat as an
// external tool. Plain data, no `vscode` import: the harness puts it in the companion's manifest
// (lib/apiCompanion.ts).

export const echoTool = {
  name: 'deepseek_e2e_echo',
  displayName: 'Echo (DeepSeek Local API tests)',
  modelDescription: 'Returns the text it is given, prefixed with "echo: ".',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
};
