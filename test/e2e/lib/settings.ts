// User settings every window starts with: a quiet workbench (no welcome page, AI chat, telemetry,
// update or recommendation prompts, nothing that reaches for the network) and our model.
export function defaultSettings(modelPath: string): Record<string, unknown> {
  return {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    // VS Code 1.139's built-in chat would sit beside our own chat view.
    'chat.disableAIFeatures': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'security.workspace.trust.enabled': false,
    'typescript.disableAutomaticTypeAcquisition': true,
    'npm.fetchOnlinePackageInfo': false,
    'files.autoSave': 'off',
    // code-server has no --disable-extension; this keeps the built-in git extensions idle (they
    // start at `*`, scan the workspace and reach for GitHub, seconds of CPU on 2 cores).
    'git.enabled': false,
    'git.autoRepositoryDetection': false,
    'github.gitAuthentication': false,
    'editor.inlineSuggest.enabled': true,
    'deepseekLocal.model.path': modelPath,
  };
}
