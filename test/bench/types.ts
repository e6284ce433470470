// The bench's vocabulary: a section measures, the runner prints and saves.
//
// Adding a section: write `sections/<name>.ts` exporting a `BenchSection`, and add it to the list
// in `sections/index.ts`. Nothing else.

/** A goal as written in the table: ">= 0.95", "<= 250", "== 0". */
export type Goal = `${">=" | "<=" | ">" | "<" | "=="} ${number}`;

export interface Metric {
  /** Flat, dotted, stable: it is the key in `--json` output (e.g. "engine.gen_tps"). */
  id: string;
  value: number;
  /** Shown in the table only: "ms", "tok/s", "×", "GB/s". */
  unit: string;
  /** When set, the row gets a pass/fail mark. */
  goal?: Goal;
  /** A short note shown after the row (how it was measured, spread, sample count). */
  note?: string;
}

export interface BenchContext {
  /** CPU threads for every engine and peer in this run (`--threads`, default 2). */
  readonly threads: number;
  /** Repetitions for measurements that take medians (`--reps`, default per section). */
  readonly reps: number | undefined;
  /** Whether `--real` was given (issue 11's real-size section). */
  readonly real: boolean;
  /**
   * Flash attention for the engine and llama-server alike in the peer-matched sections
   * (`--flash-attn on|off`, default off: the setting the earlier figures were measured with).
   */
  readonly flashAttention: boolean;
  /** Records a metric; it is printed in this section's table and saved to `--json`. */
  report(metric: Metric): void;
  /** Progress for the person watching (stderr). */
  log(message: string): void;
  /** Runs `fn` when the section ends, even if it failed (stop servers, engines, temp files). */
  defer(fn: () => unknown | Promise<unknown>): void;
  /** The synthetic model's GGUF path (made once per run). */
  syntheticModel(): Promise<string>;
  /** The peer llama-server binary (built once, cached across runs). */
  llamaServerBinary(): Promise<string>;
}

export interface BenchSection {
  /** Name used by `--only` and as the prefix of most metric ids. */
  id: string;
  title: string;
  /** Runs only when asked for: by `--only <id>`, or by `--real` for the real-size section. */
  optIn?: "real" | "only";
  run(ctx: BenchContext): Promise<void>;
}

export function checkGoal(value: number, goal: Goal): boolean {
  const [op, raw] = goal.split(" ") as [string, string];
  const target = Number(raw);
  switch (op) {
    case ">=":
      return value >= target;
    case "<=":
      return value <= target;
    case ">":
      return value > target;
    case "<":
      return value < target;
    case "==":
      return value === target;
    default:
      throw new Error(`bad goal ${goal}`);
  }
}
