// Generation speed under a JSON-schema grammar over the same chat request without one (refactor
// answers, the chat's edit proposals): measured alternately (ABBA), median of per-round ratios,
// more rounds while they spread by more than 10%. The run without a grammar is capped at the
// grammar answer's token count for the same seed; it can stop earlier (EOS, a stop string), and the
// report says in how many rounds it did not. Answer tokens include the ones the schema forces
// (written and evaluated in one batch, not sampled). The prompt's KV is reused on both sides, so
// the figure is generation alone (engine metrics).
import type { LocalEngine } from "../../../src/backends/local/localEngine";
import type { ChatMessage } from "../../../src/core/engine/chatEngine";
import type { JsonSchema } from "../../../src/core/json/validateJson";
import type { RequestMetrics } from "../../../src/protocol/engine";
import type { BenchContext } from "../types";
import { isNoisy, raisedReps, roundRatios, spreadNote } from "./ratios";
import { interleave, median, relativeIqr } from "./stats";

interface GenFigures {
  tokens: number;
  /** Tokens the schema forced (written by the engine, not sampled; included in `tokens`). */
  forced: number;
  tps: number;
}

export interface GrammarRequest {
  messages: readonly ChatMessage[];
  schema: JsonSchema;
  maxTokens: number;
}

function figures(m: RequestMetrics): GenFigures {
  return { tokens: m.generatedTokens, forced: m.forcedTokens, tps: (m.generatedTokens / m.generationMs) * 1000 };
}

/** Reports `<prefix>.forced_token_share`, `.grammar_tps`, `.free_tps` and `.grammar_tps_ratio` (goal ≥ 0.8). */
export async function reportGrammarRatio(
  ctx: BenchContext,
  engine: LocalEngine,
  request: GrammarRequest,
  prefix: string,
  options: { reps: number; budgetMs: number },
): Promise<void> {
  const grammarRun = async (seed: number) =>
    figures((await engine.chat({ messages: request.messages, jsonSchema: request.schema, sequence: "refactor", maxTokens: request.maxTokens, temperature: 0.9, seed })).metrics);
  const freeRun = async (seed: number, tokens: number) =>
    figures((await engine.chat({ messages: request.messages, sequence: "refactor", maxTokens: tokens, temperature: 0.9, seed })).metrics);
  // A seed's grammar answer is the same every time, so its token count is known before the free
  // run whichever side goes first: in the rounds where the free run goes first, an untimed
  // grammar run with that seed finds it.
  const answerTokens = new Map<number, number>();
  const tokensFor = async (seed: number) => answerTokens.get(seed) ?? (await grammarRun(seed)).tokens;
  const tps = (x: GenFigures) => x.tps;
  const { reps } = options;
  const pairs = await interleave({
    reps,
    maxReps: raisedReps(reps),
    warmup: 1,
    budgetMs: options.budgetMs,
    a: async (round) => {
      const result = await grammarRun(round + 1);
      const known = answerTokens.get(round + 1);
      if (known !== undefined && known !== result.tokens) ctx.log(`seed ${round + 1}: the grammar answer had ${known} tokens, now ${result.tokens}`);
      answerTokens.set(round + 1, result.tokens);
      return result;
    },
    b: async (round) => {
      const tokens = await tokensFor(round + 1);
      answerTokens.set(round + 1, tokens);
      return { ...(await freeRun(round + 1, tokens)), cap: tokens };
    },
    moreRounds: (done) => isNoisy(roundRatios(done, tps, tps)),
    onRound: (i, p) =>
      ctx.log(`round ${i + 1}: ${p.a.tps.toFixed(0)} tok/s with grammar (${p.a.tokens}, ${p.a.forced} forced), ${p.b.tps.toFixed(0)} without (${p.b.tokens} of ${p.b.cap})`),
  });
  const ratios = roundRatios(pairs, tps, tps);
  const sameCount = pairs.filter((p) => p.b.tokens === p.a.tokens).length;
  ctx.report({
    id: `${prefix}.forced_token_share`,
    value: median(pairs.map((p) => p.a.forced / p.a.tokens)),
    unit: "×",
    note: "answer tokens the schema forced (written in one batch, not sampled), median",
  });
  ctx.report({ id: `${prefix}.grammar_tps`, value: median(pairs.map((p) => p.a.tps)), unit: "tok/s", note: `iqr ${(relativeIqr(pairs.map((p) => p.a.tps)) * 100).toFixed(0)}%` });
  ctx.report({ id: `${prefix}.free_tps`, value: median(pairs.map((p) => p.b.tps)), unit: "tok/s", note: `iqr ${(relativeIqr(pairs.map((p) => p.b.tps)) * 100).toFixed(0)}%` });
  ctx.report({
    id: `${prefix}.grammar_tps_ratio`,
    value: median(ratios),
    unit: "×",
    goal: ">= 0.8",
    note:
      `same prompt and seed; the free run capped at the answer's token count and reached it in ${sameCount} of ${pairs.length} rounds` +
      `${sameCount < pairs.length ? ` (the others stopped early: median ${median(pairs.map((p) => p.b.tokens))} vs ${median(pairs.map((p) => p.a.tokens))} tokens)` : ""}; ` +
      spreadNote(ratios, reps),
  });
}
