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
import type { LocalEngine } from "../../../src/backends/local/localEngine";
import { createPeerMatchedEngine } from "../util/peerSettings";
import { isNoisy, raisedReps, roundRatios, spreadNote } from "../util/ratios";
import { builtinActions, type RefactorAction } from "../../../src/core/refactor/actions";
import { refactorMessages } from "../../../src/core/refactor/refactorPrompt";
import type { RefactorTarget } from "../../../src/core/refactor/refactorTarget";
import { requestRefactorAnswer, schemaFor } from "../../../src/core/refactor/runRefactor";
import type { RequestMetrics } from "../../../src/protocol/engine";
import type { BenchSection } from "../types";
import { interleave, median, relativeIqr } from "../util/stats";

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

interface GenFigures {
  tokens: number;
  /** Tokens the schema forced (written by the engine, not sampled; included in `tokens`). */
  forced: number;
  tps: number;
}

async function grammarRun(engine: LocalEngine, action: RefactorAction, seed: number): Promise<GenFigures> {
  const r = await engine.chat({
    messages: refactorMessages(action, target),
    jsonSchema: schemaFor(action, target),
    sequence: "refactor",
    maxTokens: 2048,
    temperature: 0.9,
    seed,
  });
  return figures(r.metrics);
}

function figures(m: RequestMetrics): GenFigures {
  return { tokens: m.generatedTokens, forced: m.forcedTokens, tps: (m.generatedTokens / m.generationMs) * 1000 };
}

async function freeRun(engine: LocalEngine, action: RefactorAction, seed: number, tokens: number): Promise<GenFigures> {
  const r = await engine.chat({ messages: refactorMessages(action, target), sequence: "refactor", maxTokens: tokens, temperature: 0.9, seed });
  return figures(r.metrics);
}

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
    const reps = ctx.reps ?? REPS;
    // A seed's grammar answer is the same every time, so its token count is known before the free
    // run whichever side goes first: in the rounds where the free run goes first, an untimed
    // grammar run with that seed finds it.
    const answerTokens = new Map<number, number>();
    const tokensFor = async (seed: number) => answerTokens.get(seed) ?? (await grammarRun(engine, action, seed)).tokens;
    const tps = (x: GenFigures) => x.tps;
    const pairs = await interleave({
      reps,
      maxReps: raisedReps(reps),
      warmup: 1,
      budgetMs: ROUNDS_BUDGET_MS,
      a: async (round) => {
        const figures = await grammarRun(engine, action, round + 1);
        const known = answerTokens.get(round + 1);
        if (known !== undefined && known !== figures.tokens) ctx.log(`seed ${round + 1}: the grammar answer had ${known} tokens, now ${figures.tokens}`);
        answerTokens.set(round + 1, figures.tokens);
        return figures;
      },
      b: async (round) => {
        const tokens = await tokensFor(round + 1);
        answerTokens.set(round + 1, tokens);
        return { ...(await freeRun(engine, action, round + 1, tokens)), cap: tokens };
      },
      moreRounds: (done) => isNoisy(roundRatios(done, tps, tps)),
      onRound: (i, p) =>
        ctx.log(`round ${i + 1}: ${p.a.tps.toFixed(0)} tok/s with grammar (${p.a.tokens}, ${p.a.forced} forced), ${p.b.tps.toFixed(0)} without (${p.b.tokens} of ${p.b.cap})`),
    });
    const ratios = roundRatios(pairs, tps, tps);
    const sameCount = pairs.filter((p) => p.b.tokens === p.a.tokens).length;
    ctx.report({
      id: "refactor.forced_token_share",
      value: median(pairs.map((p) => p.a.forced / p.a.tokens)),
      unit: "×",
      note: "answer tokens the schema forced (written in one batch, not sampled), median",
    });
    ctx.report({ id: "refactor.grammar_tps", value: median(pairs.map((p) => p.a.tps)), unit: "tok/s", note: `iqr ${(relativeIqr(pairs.map((p) => p.a.tps)) * 100).toFixed(0)}%` });
    ctx.report({ id: "refactor.free_tps", value: median(pairs.map((p) => p.b.tps)), unit: "tok/s", note: `iqr ${(relativeIqr(pairs.map((p) => p.b.tps)) * 100).toFixed(0)}%` });
    ctx.report({
      id: "refactor.grammar_tps_ratio",
      value: median(ratios),
      unit: "×",
      goal: ">= 0.8",
      note:
        `same prompt and seed; the free run capped at the answer's token count and reached it in ${sameCount} of ${pairs.length} rounds` +
        `${sameCount < pairs.length ? ` (the others stopped early: median ${median(pairs.map((p) => p.b.tokens))} vs ${median(pairs.map((p) => p.a.tokens))} tokens)` : ""}; ` +
        spreadNote(ratios, reps),
    });
  },
};
