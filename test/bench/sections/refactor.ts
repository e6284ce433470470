// Refactors on the synthetic model (issue 7):
// - refactor.answer_ms: request → schema-valid answer (grammar-constrained generation + ajv), per
//   built-in action, median over seeds; the same code sample and greedy-ish sampling each time.
// - refactor.grammar_tps_ratio: generation speed under the answer's JSON-schema grammar over the
//   same chat request without a grammar, measured alternately (ABBA), median of per-round ratios
//   (more rounds while they spread by more than 10%). The run without a grammar is capped at the
//   grammar answer's token count for the same seed; it can stop earlier (EOS, a stop string), and
//   the note says in how many rounds it did not.
//   Answer tokens include the ones the schema forces (jump-ahead: written and evaluated in one
//   batch, not sampled); refactor.forced_token_share says how many.
//   The prompt's KV is reused on both sides, so the figure is generation alone (engine metrics).
import { createPeerMatchedEngine } from "../util/peerSettings";
import { reportGrammarRatio } from "../util/grammarRatio";
import { builtinActions } from "../../../src/core/refactor/actions";
import { refactorMessages } from "../../../src/core/refactor/refactorPrompt";
import type { RefactorTarget } from "../../../src/core/refactor/refactorTarget";
import { requestRefactorAnswer, schemaFor } from "../../../src/core/refactor/runRefactor";
import type { BenchSection } from "../types";
import { median } from "../util/stats";

const CONTEXT_SIZE = 4096;
const SEEDS = 5;
const REPS = 6;
const ROUNDS_BUDGET_MS = 120_000;

const documentText = [
  "export function parsePort(value, fallback) {",
  "  const n = parseInt(value);",
  "  if (isNaN(n) == true) { return fallback; }",
  "  if (n < 0 || n > 65535) { return fallback; }",
  "  return n;",
  "}",
  "",
].join("\n");
const target: RefactorTarget = {
  uri: "file:///bench/port.js",
  displayPath: "port.js",
  languageId: "javascript",
  documentText,
  version: 1,
  selection: { start: documentText.indexOf("  const n"), end: documentText.indexOf("  return n;") },
  eol: "\n",
  indentation: { insertSpaces: true, tabSize: 2 },
  insertionOffset: 0,
};

export const refactor: BenchSection = {
  id: "refactor",
  title: "Refactor: JSON-schema answers on the synthetic model",
  async run(ctx) {
    const engine = createPeerMatchedEngine(ctx, await ctx.syntheticModel(), CONTEXT_SIZE);
    ctx.defer(() => engine.dispose());
    await engine.modelInfo();

    const perAction: number[] = [];
    for (const action of builtinActions) {
      const times: number[] = [];
      for (let seed = 1; seed <= SEEDS; seed++) {
        const started = performance.now();
        await requestRefactorAnswer(engine, action, target, { temperature: 0.9, seed, instruction: action.asksForInstruction ? "make it shorter" : undefined });
        times.push(performance.now() - started);
      }
      perAction.push(median(times));
      ctx.log(`${action.id}: ${median(times).toFixed(0)} ms to a validated answer (median of ${SEEDS})`);
      ctx.report({ id: `refactor.answer_ms.${action.id}`, value: median(times), unit: "ms", note: `median of ${SEEDS} seeds` });
    }
    ctx.report({ id: "refactor.answer_ms", value: median(perAction), unit: "ms", note: "median over the built-in actions" });

    // The longest-answer shape makes the grammar work hardest: strings near their bounds.
    const action = builtinActions.find((candidate) => candidate.id === "addErrorHandling")!;
    await reportGrammarRatio(ctx, engine, { messages: refactorMessages(action, target), schema: schemaFor(action, target), maxTokens: 2048 }, "refactor", {
      reps: ctx.reps ?? REPS,
      budgetMs: ROUNDS_BUDGET_MS,
    });
  },
};
