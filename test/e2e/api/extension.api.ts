// The extension is installed, activates, and every command its manifest contributes is registered.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionId, manifestOf } from './helpers.js';

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `${extensionId} is not installed`);
  await extension.activate();
  assert.equal(extension.isActive, true, 'the extension did not activate');

  const contributed = manifestOf(extension).contributes.commands.map((c) => c.command);
  assert.ok(contributed.length > 0, 'the manifest contributes no commands');
  const registered = new Set(await vscode.commands.getCommands(true));
  assert.deepEqual(contributed.filter((id) => !registered.has(id)), [], 'contributed commands without a handler');
}
