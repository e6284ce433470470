// Ghost text is what the user is waiting on while typing: while a completion request runs, chat
// and refactor generation pause between tokens (and between prompt batches) so the completion
// gets the CPU to itself, then carry on where they were.

export class ForegroundGate {
  private active = 0;
  private waiters: (() => void)[] = [];

  /** Runs `task` in the foreground. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await task();
    } finally {
      if (--this.active === 0) for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** Resolves at once when nothing runs in the foreground, else when the foreground is done. */
  yieldToForeground(): Promise<void> | undefined {
    if (this.active === 0) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
