// Settings: each contributed property's default is what the manifest says, and the model path the
// runner configured is the one the window sees.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { expectedModelPath, extensionId, manifestOf } from './helpers.js';

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `${extensionId} is not installed`);
  const properties = manifestOf(extension).contributes.configuration.properties;
  for (const [key, schema] of Object.entries(properties)) {
    const inspected = vscode.workspace.getConfiguration().inspect(key);
    assert.ok(inspected, `${key} is not a known setting`);
    assert.deepEqual(inspected.defaultValue, schema.default, `default of ${key}`);
  }
  const modelPath = expectedModelPath();
  if (modelPath !== undefined) {
    assert.equal(vscode.workspace.getConfiguration('deepseekLocal').get('model.path'), modelPath);
  }
}
