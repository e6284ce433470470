import { getLlama } from "node-llama-cpp";
import { SequenceRunner } from "../src/engine/sequenceRunner.ts";
import { buildFimPrompt } from "../src/core/completion/fimPrompt.ts";
const model_path = process.env.HOME + "/.cache/deepseek-local/models/synthetic-tiny-f16-4f15a31df2b62eb4.gguf";
const llama = await getLlama({ gpu: false, logLevel: "error" as never });
const model = await llama.loadModel({ modelPath: model_path, gpuLayers: 0 });
const ctx = await model.createContext({ contextSize: 4096, sequences: 2, threads: 1, flashAttention: false, batchSize: 256 });
const s1 = ctx.getSequence(), s2 = ctx.getSequence();
const runner = new SequenceRunner(model, s2, llama);
const body = codeLikeText(4000, 3), suffix = codeLikeText(240, 5);
for (let r = 0; r < 10; r++) {
  const p = buildFimPrompt(`// round ${r} x\n${body}const next = `, suffix, []);
  const toks = runner.tokenize(p.segments).tokens;
  await s1.eraseContextTokenRanges([{ start: 0, end: s1.nextTokenIndex }]);
  const t0 = performance.now();
  for (let s = 0; s < toks.length - 1; s += 256) await s1.evaluateWithoutGeneratingNewTokens(toks.slice(s, Math.min(s + 256, toks.length - 1)));
  const raw = performance.now() - t0;
  const m = await runner.prefill(p.segments, new AbortController().signal);
  console.log(`raw ${raw.toFixed(0)} ms (${toks.length})  runner prompt ${m.promptMs.toFixed(0)} ms (${m.evaluatedTokens} eval, ${m.reusedTokens} reused)`);
}

function codeLikeText(chars: number, seed = 1): string {
  let s = seed >>> 0 || 1;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const words = ["const", "let", "value", "index", "result", "items", "map", "filter", "return", "if", "for",
    "await", "async", "function", "buffer", "length", "token", "cache", "prefix", "suffix", "model", "engine"];
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  let out = ""; let line = 0;
  while (out.length < chars) {
    const indent = "  ".repeat(Math.floor(rnd() * 3)); const a = pick(words); const b = pick(words); const n = Math.floor(rnd() * 1000);
    out += `${indent}${pick(["const", "let"])} ${a}${line} = ${b}.${pick(words)}(${n}, "${pick(words)}");\n`;
    if (rnd() < 0.2) out += `${indent}// ${pick(words)} ${pick(words)} ${n}\n`;
    line++;
  }
  return out;
}
