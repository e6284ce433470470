// What a feature case is: a name (its folder under test-results/e2e/), the settings and
// environment its window starts with, and a run() that drives the workbench like a user.
import type { CodeServer } from './codeServer.js';
import type { Workbench } from './workbench.js';

export interface E2eFixtures {
  /** The synthetic DeepSeek GGUF from test/fixtures/synthetic-model (tiny, random weights). */
  readonly syntheticModel: string;
  /** This case's own copy of test/e2e/workspace (edits stay in the case). */
  readonly workspace: string;
  /** This case's scratch folder (not the results folder). */
  readonly scratchDir: string;
}

export interface CaseContext {
  readonly wb: Workbench;
  readonly server: CodeServer;
  readonly fixtures: E2eFixtures;
  /** test-results/e2e/<case>/: screenshots, logs, anything a failure needs. */
  readonly artifactsDir: string;
  /** A line in the case's harness log (and on the console with --verbose). */
  log(line: string): void;
  /** Saves `<artifactsDir>/<name>.png`. */
  screenshot(name: string): Promise<void>;
  /** Runs one named step; a failure says which step failed. */
  step<T>(name: string, body: () => Promise<T>): Promise<T>;
}

export interface E2eCase {
  /** Unique, file-name safe: the results folder and the command-line filter. */
  readonly name: string;
  readonly title: string;
  /** Runs before the server starts: write fixture files into `fixtures.scratchDir` or the workspace copy. */
  prepare?(fixtures: E2eFixtures): Promise<void>;
  /** Merged over the harness defaults (which point deepseekLocal.model.path at the synthetic model). */
  settings?(fixtures: E2eFixtures): Record<string, unknown>;
  /** Extra environment for code-server (reaches the extension host and the engine). */
  env?(fixtures: E2eFixtures): Record<string, string>;
  /** Default 120 s, from server start to the end of run(). */
  readonly timeoutMs?: number;
  run(t: CaseContext): Promise<void>;
}

/** Identity, for type inference in case files. */
export function defineCase(c: E2eCase): E2eCase {
  return c;
}
