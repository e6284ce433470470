// Shared by the API tests; runs in the extension host.
import type * as vscode from 'vscode';

export const extensionId = 'deepseek-local.deepseek-local';

/** Figures a test measured, written to the suite's log after the test (the harness prints them). */
export const measured: string[] = [];

/** Set by the runner (code-server harness or electron.ts) to the model path it configured. */
export function expectedModelPath(): string | undefined {
  return process.env.DEEPSEEK_LOCAL_API_EXPECT_MODEL || undefined;
}

export interface Manifest {
  contributes: {
    commands: { command: string; title: string }[];
    configuration: unknown;
  };
}

export function manifestOf(extension: vscode.Extension<unknown>): Manifest {
  return extension.packageJSON as Manifest;
}

export async function withTimeout<T>(what: string, work: Thenable<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      Promise.resolve(work),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
