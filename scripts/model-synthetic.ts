/**
 * Writes a synthetic DeepSeek MoE GGUF (see test/fixtures/synthetic-model/).
 *
 *   npm run model:synthetic -- --out FILE [--shape tiny|v2-lite] [--type f16|q8_0|q4_0] [--seed N]
 *     [--layers N] [--dense-layers N] [--embd N] [--heads N] [--kv-lora N] [--rope-dim N]
 *     [--nope-dim N] [--v-head N] [--ffn N] [--experts N] [--experts-used N] [--shared-experts N]
 *     [--expert-ffn N] [--context N] [--output-scale X] [--embedding-scale X] [--weight-gain X]
 *     [--chat-template coder-v2-lite|v3|none] [--routing v2|v3] [--weights auto|floats|random-blocks]
 *     [--keep-special-tokens]
 *   npm run model:synthetic -- --cached [options]   # write into (or find in) the shared cache, print its path
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  type ModelShape,
  type SyntheticModelOptions,
  ensureSyntheticModel,
  writeSyntheticModel,
} from "../test/fixtures/synthetic-model/index";

const SHAPE_FLAGS: Record<string, keyof ModelShape> = {
  layers: "layers",
  "dense-layers": "denseLayers",
  embd: "embd",
  heads: "heads",
  "kv-lora": "kvLoraRank",
  "rope-dim": "ropeDim",
  "nope-dim": "nopeDim",
  "v-head": "vHeadDim",
  ffn: "ffn",
  experts: "experts",
  "experts-used": "expertsUsed",
  "shared-experts": "sharedExperts",
  "expert-ffn": "expertFfn",
  context: "contextLength",
};

function usage(message?: string): never {
  if (message) console.error(`model:synthetic: ${message}`);
  console.error(
    "usage: npm run model:synthetic -- (--out FILE | --cached) [--shape tiny|v2-lite] [--type f16|q8_0|q4_0] [--seed N] " +
      `[${Object.keys(SHAPE_FLAGS).map((f) => `--${f} N`).join("] [")}] [--output-scale X] [--embedding-scale X] ` +
      "[--weight-gain X] [--chat-template coder-v2-lite|v3|none] [--routing v2|v3] [--weights auto|floats|random-blocks] " +
      "[--keep-special-tokens]",
  );
  process.exit(2);
}

function integer(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) usage(`--${flag} expects a non-negative integer, got ${text}`);
  return Number(text);
}

function number(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) usage(`--${flag} expects a number, got ${text}`);
  return value;
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) usage(`--${flag} expects one of ${allowed.join(", ")}, got ${text}`);
  return text as T;
}

async function main(): Promise<void> {
  const stringFlags = [
    "out", "shape", "type", "seed", "output-scale", "embedding-scale", "weight-gain", "chat-template", "routing", "weights",
    ...Object.keys(SHAPE_FLAGS),
  ];
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        ...Object.fromEntries(stringFlags.map((f) => [f, { type: "string" as const }])),
        cached: { type: "boolean" },
        "keep-special-tokens": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    });
  } catch (error) {
    usage((error as Error).message);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help) usage();
  const str = (flag: string): string | undefined => (typeof v[flag] === "string" ? (v[flag] as string) : undefined);

  const shapeOverrides: Partial<Record<keyof ModelShape, number>> = {};
  for (const [flag, key] of Object.entries(SHAPE_FLAGS)) {
    const text = str(flag);
    if (text !== undefined) shapeOverrides[key] = integer(flag, text);
  }
  const options: SyntheticModelOptions = {
    shape: str("shape") === undefined ? undefined : oneOf("shape", str("shape")!, ["tiny", "v2-lite"] as const),
    type: str("type") === undefined ? undefined : oneOf("type", str("type")!, ["f16", "q8_0", "q4_0"] as const),
    seed: str("seed") === undefined ? undefined : integer("seed", str("seed")!),
    shapeOverrides: Object.keys(shapeOverrides).length > 0 ? (shapeOverrides as Partial<ModelShape>) : undefined,
    outputScale: str("output-scale") === undefined ? undefined : number("output-scale", str("output-scale")!),
    embeddingScale: str("embedding-scale") === undefined ? undefined : number("embedding-scale", str("embedding-scale")!),
    weightGain: str("weight-gain") === undefined ? undefined : number("weight-gain", str("weight-gain")!),
    chatTemplate:
      str("chat-template") === undefined ? undefined : oneOf("chat-template", str("chat-template")!, ["coder-v2-lite", "v3", "none"] as const),
    routing: str("routing") === undefined ? undefined : oneOf("routing", str("routing")!, ["v2", "v3"] as const),
    weightSource: str("weights") === undefined ? undefined : oneOf("weights", str("weights")!, ["auto", "floats", "random-blocks"] as const),
    suppressSpecialTokens: v["keep-special-tokens"] ? false : undefined,
  };

  const started = performance.now();
  let file: string;
  if (v.cached) {
    file = await ensureSyntheticModel(options);
  } else {
    const out = str("out");
    if (!out) usage("--out FILE or --cached is required");
    file = path.resolve(out);
    const written = await writeSyntheticModel(file, options);
    console.error(
      `model:synthetic: ${written.options.shapeName} ${written.options.type}, ${(written.parameters / 1e6).toFixed(1)} M parameters, ` +
        `${written.options.weightSource} weights, seed ${written.options.seed}`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const bytes = (await stat(file)).size;
  console.error(
    `model:synthetic: ${file}: ${(bytes / 2 ** 20).toFixed(1)} MiB in ${seconds.toFixed(1)} s, ` +
      `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
  console.log(file);
}

main().catch((error: unknown) => {
  console.error(`model:synthetic: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
