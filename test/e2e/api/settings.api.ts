// Settings: the defaults VS Code loaded for the extension's settings are the ones its code uses
// when a setting has no value (Config's fallbacks, defaultCompletionSettings, the remote settings'
// defaults), so the manifest and the code cannot drift apart (issue 24); and the model path the
// runner configured is the one the window sees.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { settingsOf } from '../../fixtures/manifestSettings.js';
import { defaultsBothWays } from '../../fixtures/settingsDefaults.js';
import { expectedModelPath, extensionId, manifestOf } from './helpers.js';

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `${extensionId} is not installed`);
  const configuration = vscode.workspace.getConfiguration();
  for (const key of Object.keys(settingsOf(manifestOf(extension)))) {
    assert.ok(configuration.inspect(key), `${key} is not a known setting`);
  }
  // The defaults as VS Code loaded them, not as package.json writes them.
  const loaded = (key: string) => configuration.inspect(`deepseekLocal.${key}`)?.defaultValue;
  const { code, manifest } = defaultsBothWays(loaded);
  assert.deepEqual(manifest, code, 'the settings VS Code defaults to differ from the code defaults');

  const modelPath = expectedModelPath();
  if (modelPath !== undefined) {
    assert.equal(vscode.workspace.getConfiguration('deepseekLocal').get('model.path'), modelPath);
  }
}
