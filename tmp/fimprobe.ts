import { createLocalEngine } from "../src/backends/local/localEngine";
import { ensureSyntheticModel } from "../test/fixtures/synthetic-model";
import { codeLikeText } from "../test/bench/sections/engine";
async function main() {
  const modelPath = await ensureSyntheticModel();
  const engine = createLocalEngine({ modelPath, threads: 1, contextSize: 4096, flashAttention: false, gpuLayers: 0, env: { DEEPSEEK_LOCAL_GPU: "off" } });
  await engine.modelInfo();
  const body = codeLikeText(4000, 3), suffix = codeLikeText(240, 5);
  for (let r = 0; r < 14; r++) {
    const t0 = performance.now();
    const res = await engine.infill({ prefix: `// round ${r} x\n${body}const next = `, suffix, maxTokens: 16, temperature: 0 });
    const wall = performance.now() - t0;
    const m = res.metrics;
    console.log(`wall ${wall.toFixed(0)} total ${m.totalMs.toFixed(0)} prompt ${m.promptMs.toFixed(0)} (${m.evaluatedTokens} eval, ${m.reusedTokens} reused) gen ${m.generationMs.toFixed(0)} (${m.generatedTokens}) first ${m.firstTokenMs?.toFixed(0)}`);
  }
  await engine.dispose();
}
void main();
