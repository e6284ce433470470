// Mutation testing (`npm run test:mutation`, issue 24): StrykerJS changes one thing at a time in the
// code that decides what reaches the user's files — completion's post-processing and pipeline, the
// refactor answer → edits path and its refusal rules, the chat's workspace tools, and the editor-edge
// modules around them — and reruns the unit tests; a mutant no test notices is a missing test.
// Not part of `npm test`: a full run takes tens of minutes on two cores. Reruns are incremental:
// only mutants in changed code (or covered by changed tests) run again. See docs/mutation.md.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.json",
  coverageAnalysis: "perTest",
  mutate: [
    "src/core/completion/**/*.ts",
    "src/core/refactor/**/*.ts",
    "src/core/chat/workspaceTools.ts",
    "src/vscode/refactor/**/*.ts",
    "src/vscode/completion/**/*.ts",
  ],
  // Two shared cores: one test process, started again after 50 mutants to keep its memory flat.
  concurrency: 1,
  maxTestRunnerReuse: 50,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  tempDirName: ".stryker-tmp",
  // The sandbox needs the sources and tests only, not the build, the models or the packaged VSIX.
  ignorePatterns: ["/dist", "/.cache", "/test-results", "/vsix", "/native/build", "/.bench", "/media/dist", "/reports", "*.vsix", "*.gguf"],
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 80, low: 60, break: null },
};
