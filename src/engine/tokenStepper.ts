// One generation step at a time: evaluate some tokens at the end of a sequence, sample the next.
//
// node-llama-cpp's `sequence.evaluate()` generator spends ~0.4 ms of JavaScript per token on the
// tiny model (its batch queue and dispatch cycle, a sampler configuration resolved and applied
// again for every token, the sequence's token list copied on every step): 10-15% of a token there,
// measured against the same loop written straight on its binding (docs/performance.md). The
// direct stepper is that loop: one sampler configured once per request, and per step one decode
// and one sample on the context's binding, under the same context lock node-llama-cpp's own batch
// dispatcher holds (so a prefill or generation on another sequence never interleaves with it),
// then the sequence's bookkeeping (next position, tokens in the KV cache) updated as its own
// evaluation does. It reaches node-llama-cpp internals (3.22.x); where one is missing, or when the
// environment sets DEEPSEEK_LOCAL_DIRECT_DECODE=off, the stepper wraps `evaluate()` instead.
//
// Pipelined: decode and sample are each a job on libuv's thread pool, and every hop between that
// pool and the main thread is a thread wake-up (0.1-0.2 ms in a VM). When the pool has one thread
// (UV_THREADPOOL_SIZE=1, which the supervisor sets for the engine), jobs run in the order they were
// queued, so the sample can be queued right behind its decode: the pool thread goes from one to
// the other without waking the main thread in between (2.45 -> 2.06 ms per token on the tiny model).
//
// Under a grammar, a token the model picks but the grammar refuses costs node-llama-cpp's sampler a
// pass of the grammar over the whole vocabulary (~100k tokens) before it samples again. The direct
// stepper first samples without the grammar and checks just that token, a few times (rejection
// sampling: the accepted token follows the model's distribution restricted to what the grammar
// allows). Where the model's likely tokens all break the grammar — at a JSON choice point (`,` or
// `]`, one of a few `const` values) for a weak or random model — the single-character tokens the
// grammar allows are found by checking ~100 of them, and sampled among by the model's logits (a bias
// lifts them above the rest). Only when neither works does the grammar sampler take its full pass.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { Llama, LlamaContextSequence, LlamaGrammarEvaluationState, LlamaModel, Token } from "node-llama-cpp";
import { OtherProcessesLoad, machineCores } from "./cpuLoad.js";
import { PromptThreadLimit, ThreadGovernor } from "./threadGovernor.js";

/** Unset (undefined) fields take node-llama-cpp's defaults, in both loops. */
export interface SamplingOptions {
  temperature: number;
  topK?: number;
  topP?: number;
  seed?: number;
  grammarEvaluationState?: LlamaGrammarEvaluationState;
}

export interface TokenStepper {
  /** Evaluates `tokens` after what the sequence holds; the next sampled token, or null at end of generation. */
  step(tokens: readonly Token[]): Promise<Token | null>;
  /** Releases the sampler; the sequence keeps every token evaluated so far. */
  close(): Promise<void>;
}

interface AddonContextBinding {
  initBatch(size: number): void;
  addToBatch(sequenceId: number, firstTokenIndex: number, tokens: Uint32Array, logitIndexes: Uint32Array): Uint32Array;
  decodeBatch(): Promise<void>;
  sampleToken(batchLogitIndex: number, sampler: unknown): Promise<Token | -1>;
  setThreads?(threads: number): void;
}

interface AddonSamplerBinding {
  applyConfig(config: object): void;
  dispose(): void;
}

/** The node-llama-cpp 3.22 internals the direct stepper reads and updates. */
interface SequenceInternals {
  _sequenceId: number;
  _nextTokenIndex: number;
  _contextTokens: Token[];
  _loadedTokenPredictions: unknown[];
  _tokenPredictor?: unknown;
  _context: { _ctx: AddonContextBinding; contextSize: number };
  _resolveSamplerConfig(options: SamplingOptions): object;
  needsCheckpoints?: boolean;
}

type WithLock = <T>(scope: [object, string], task: () => Promise<T>) => Promise<T>;

/** The lock function of the lifecycle-utils instance node-llama-cpp itself imports (same registry). */
let withLockOfNodeLlamaCpp: Promise<WithLock | undefined> | undefined;
function nodeLlamaCppWithLock(): Promise<WithLock | undefined> {
  withLockOfNodeLlamaCpp ??= (async () => {
    try {
      const fromNodeLlamaCpp = createRequire(createRequire(import.meta.url).resolve("node-llama-cpp"));
      const lifecycle = (await import(pathToFileURL(fromNodeLlamaCpp.resolve("lifecycle-utils")).href)) as { withLock?: unknown };
      return typeof lifecycle.withLock === "function" ? (lifecycle.withLock as WithLock) : undefined;
    } catch {
      return undefined;
    }
  })();
  return withLockOfNodeLlamaCpp;
}

const directDecodeDisabled = process.env.DEEPSEEK_LOCAL_DIRECT_DECODE === "off";
/** Generation at the configured thread count always (for comparisons): DEEPSEEK_LOCAL_THREAD_GOVERNOR=off. */
const threadGovernorDisabled = process.env.DEEPSEEK_LOCAL_THREAD_GOVERNOR === "off";
/** Cores other processes may keep busy before more than one thread is given up (a fraction of one). */
const roomSlackCores = 0.3;

/** libuv reads UV_THREADPOOL_SIZE once, at its first pool job: read it before any can run. */
const singlePoolThread = process.env.UV_THREADPOOL_SIZE === "1";

type SamplerConstructor = (new (model: unknown) => AddonSamplerBinding) & Partial<GrammarCheck>;

/** node-llama-cpp's static calls on a grammar evaluation state (used by its speculative decoding). */
interface GrammarCheck {
  canBeNextTokenForGrammarEvaluationState(state: unknown, token: Token): boolean;
  acceptGrammarEvaluationStateToken(state: unknown, token: Token): void;
}

/** Samples without the grammar tried before the grammar's full pass over the vocabulary. */
const unconstrainedTries = 6;

/** The grammar check of one request: its state and the calls on it. */
interface GrammarGate {
  check: GrammarCheck;
  state: unknown;
  /** A sampler configured like the request's, without the grammar. */
  unconstrained: AddonSamplerBinding;
  /** The same again, configured per use with a bias that lifts the allowed tokens of `probe`. */
  narrowed: AddonSamplerBinding;
  narrowedConfig: object;
  /** The model's single-character tokens (printable ASCII and newline): JSON's structural choices. */
  probe: readonly Token[];
}

/** A bias no difference between two logits of a model comes near. */
const allowedTokenBias = 1000;

/** What the direct stepper needs from node-llama-cpp, found once per loaded model. */
export class DirectDecode {
  private constructor(
    private readonly model: LlamaModel,
    private readonly Sampler: SamplerConstructor,
    private readonly addonModel: unknown,
    private readonly withLock: WithLock,
    /** Sample queued behind its decode: only sound with one pool thread. */
    readonly pipelined: boolean,
    /** Threads per one-token step, measured (threadGovernor.ts); shared by every context of the model. */
    private readonly governor: ThreadGovernor,
    /** Prompt batches follow the governor through node-llama-cpp's own thread limit. */
    private readonly promptThreads: PromptThreadLimit,
  ) {}

  /** Makes another window's context at the configured thread count (PromptThreadLimit). */
  withConfiguredThreads<T>(task: () => Promise<T>): Promise<T> {
    return this.promptThreads.whileUnlowered(task);
  }

  private probeTokens: Token[] | undefined;

  /** The single-character tokens of the model, found once per loaded model. */
  private singleCharacterTokens(): Token[] {
    if (!this.probeTokens) {
      const characters = ["\n", ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))];
      this.probeTokens = characters.map((ch) => this.model.tokenize(ch, false)).filter((tokens) => tokens.length === 1).map((tokens) => tokens[0]!);
    }
    return this.probeTokens;
  }

  /** Undefined when this node-llama-cpp lacks an internal the direct stepper uses (or it is switched off). */
  static async probe(llama: Llama, model: LlamaModel, sequence: LlamaContextSequence): Promise<DirectDecode | undefined> {
    if (directDecodeDisabled) return undefined;
    const Sampler = (llama as unknown as { _bindings?: { AddonSampler?: SamplerConstructor } })._bindings?.AddonSampler;
    const addonModel = (model as unknown as { _model?: unknown })._model;
    if (typeof Sampler !== "function" || addonModel == null || !usableSequence(sequence)) return undefined;
    const withLock = await nodeLlamaCppWithLock();
    if (!withLock) return undefined;
    // Disabled: a governor with one thread to choose from, and node-llama-cpp keeps the configured count.
    const configuredThreads = threadGovernorDisabled ? 1 : sequence.context.idealThreads;
    const promptThreads = new PromptThreadLimit(llama);
    const otherLoad = new OtherProcessesLoad();
    const cores = machineCores();
    const governor = new ThreadGovernor(configuredThreads, {
      onChange: (from, to, why) => {
        promptThreads.follow(to, configuredThreads);
        console.log(`generation threads: ${from} -> ${to} (${why})`);
      },
      // A little slack: the editor's own processes keep a fraction of a core busy while the user types.
      roomForMore: () => cores - otherLoad.busyCores() >= configuredThreads - roomSlackCores,
    });
    promptThreads.follow(governor.threads, configuredThreads);
    return new DirectDecode(model, Sampler, addonModel, withLock, singlePoolThread, governor, promptThreads);
  }

  /** A stepper on `sequence`; undefined when the sequence is in a state it cannot continue (token predictions). */
  stepper(sequence: LlamaContextSequence, sampling: SamplingOptions): TokenStepper | undefined {
    if (!usableSequence(sequence)) return undefined;
    const sampler = this.sampler(sequence, sampling);
    let gate: GrammarGate | undefined;
    try {
      gate = this.grammarGate(sequence, sampling);
    } catch (error) {
      sampler.dispose();
      throw error;
    }
    return new DirectStepper(this.model, sequence, sampler, this.withLock, this.pipelined, gate, this.governor);
  }

  private sampler(sequence: LlamaContextSequence & SequenceInternals, sampling: SamplingOptions): AddonSamplerBinding {
    const sampler = new this.Sampler(this.addonModel);
    try {
      sampler.applyConfig(sequence._resolveSamplerConfig(sampling));
    } catch (error) {
      sampler.dispose();
      throw error;
    }
    return sampler;
  }

  /** Undefined without a grammar, or where this node-llama-cpp lacks the calls. */
  private grammarGate(sequence: LlamaContextSequence & SequenceInternals, sampling: SamplingOptions): GrammarGate | undefined {
    const state = (sampling.grammarEvaluationState as unknown as { _state?: unknown } | undefined)?._state;
    const { canBeNextTokenForGrammarEvaluationState, acceptGrammarEvaluationStateToken } = this.Sampler;
    if (state == null || typeof canBeNextTokenForGrammarEvaluationState !== "function" || typeof acceptGrammarEvaluationStateToken !== "function") return undefined;
    const plain = { ...sampling, grammarEvaluationState: undefined };
    const unconstrained = this.sampler(sequence, plain);
    try {
      return {
        check: { canBeNextTokenForGrammarEvaluationState, acceptGrammarEvaluationStateToken },
        state,
        unconstrained,
        narrowed: this.sampler(sequence, plain),
        narrowedConfig: sequence._resolveSamplerConfig(plain),
        probe: this.singleCharacterTokens(),
      };
    } catch (error) {
      unconstrained.dispose();
      throw error;
    }
  }
}

function usableSequence(sequence: LlamaContextSequence): sequence is LlamaContextSequence & SequenceInternals {
  const internals = sequence as unknown as Partial<SequenceInternals>;
  const binding = internals._context?._ctx;
  return (
    typeof internals._sequenceId === "number" &&
    typeof internals._nextTokenIndex === "number" &&
    Array.isArray(internals._contextTokens) &&
    Array.isArray(internals._loadedTokenPredictions) &&
    typeof internals._resolveSamplerConfig === "function" &&
    typeof binding?.initBatch === "function" &&
    typeof binding.addToBatch === "function" &&
    typeof binding.decodeBatch === "function" &&
    typeof binding.sampleToken === "function" &&
    // Token prediction and checkpoints keep state this loop does not maintain.
    internals._tokenPredictor == null &&
    !internals.needsCheckpoints
  );
}

/** The direct stepper where `direct` is set, node-llama-cpp's `evaluate()` otherwise. */
export function createTokenStepper(direct: DirectDecode | undefined, sequence: LlamaContextSequence, sampling: SamplingOptions): TokenStepper {
  return direct?.stepper(sequence, sampling) ?? new EvaluateStepper(sequence, sampling);
}

class DirectStepper implements TokenStepper {
  constructor(
    private readonly model: LlamaModel,
    private readonly sequence: SequenceInternals,
    private readonly sampler: AddonSamplerBinding,
    private readonly withLock: WithLock,
    private readonly pipelined: boolean,
    private readonly gate: GrammarGate | undefined,
    private readonly governor: ThreadGovernor,
  ) {}

  async step(tokens: readonly Token[]): Promise<Token | null> {
    const seq = this.sequence;
    const context = seq._context;
    const token = await this.withLock([context, "context"], async () => {
      if (seq._loadedTokenPredictions.length > 0) throw new Error("The sequence holds predicted tokens; direct decoding cannot continue it.");
      if (seq._nextTokenIndex + tokens.length >= context.contextSize) throw new Error("The context is full.");
      const binding = context._ctx;
      binding.initBatch(tokens.length);
      const [logitIndex] = binding.addToBatch(seq._sequenceId, seq._nextTokenIndex, Uint32Array.from(tokens), Uint32Array.of(tokens.length - 1));
      const decoded = this.timedDecode(binding, tokens.length);
      const first = this.gate?.unconstrained ?? this.sampler;
      // Sampled before the lock is released: the next decode overwrites the logits.
      if (!this.pipelined) {
        await decoded;
        this.decoded(tokens);
        return this.underGrammar(binding, logitIndex!, await binding.sampleToken(logitIndex!, first));
      }
      // A failed decode fails the request; the sample taken behind it is then thrown away.
      const sampled = binding.sampleToken(logitIndex!, first);
      const [decode, sample] = await Promise.allSettled([decoded, sampled]);
      if (decode.status === "rejected") throw decode.reason;
      this.decoded(tokens);
      if (sample.status === "rejected") throw sample.reason;
      return this.underGrammar(binding, logitIndex!, sample.value);
    });
    if (token === -1) throw new Error("Failed to sample next token");
    return this.model.isEogToken(token) ? null : token;
  }

  /**
   * The token under the request's grammar: an unconstrained sample the grammar allows is accepted
   * into its state (the grammar sampler would do that itself); a refused one is sampled again, and
   * after a few refusals the grammar sampler takes its full pass.
   */
  private async underGrammar(binding: AddonContextBinding, logitIndex: number, sampled: Token | -1): Promise<Token | -1> {
    const gate = this.gate;
    if (!gate) return sampled;
    let token = sampled;
    for (let tries = 1; token !== -1; tries++) {
      if (gate.check.canBeNextTokenForGrammarEvaluationState(gate.state, token)) {
        if (!this.model.isEogToken(token)) gate.check.acceptGrammarEvaluationStateToken(gate.state, token);
        return token;
      }
      if (tries >= unconstrainedTries) break;
      token = await binding.sampleToken(logitIndex, gate.unconstrained);
    }
    const allowed = gate.probe.filter((candidate) => gate.check.canBeNextTokenForGrammarEvaluationState(gate.state, candidate));
    if (allowed.length) {
      gate.narrowed.applyConfig({ ...gate.narrowedConfig, tokenBiasKeys: Uint32Array.from(allowed), tokenBiasValues: new Float32Array(allowed.length).fill(allowedTokenBias) });
      const narrowed = await binding.sampleToken(logitIndex, gate.narrowed);
      if (narrowed !== -1 && gate.check.canBeNextTokenForGrammarEvaluationState(gate.state, narrowed)) {
        if (!this.model.isEogToken(narrowed)) gate.check.acceptGrammarEvaluationStateToken(gate.state, narrowed);
        return narrowed;
      }
    }
    return binding.sampleToken(logitIndex, this.sampler);
  }

  /**
   * The decode at the thread count the governor picks. One-token steps are timed for it; a step
   * with forced tokens is not comparable and runs at the count in use.
   */
  private timedDecode(binding: AddonContextBinding, tokenCount: number): Promise<void> {
    const governor = this.governor;
    if (governor.fixed || !binding.setThreads) return binding.decodeBatch();
    const threads = tokenCount === 1 ? governor.threadsForStep() : governor.threads;
    binding.setThreads(threads);
    if (tokenCount !== 1) return binding.decodeBatch();
    const started = performance.now();
    return binding.decodeBatch().then(() => governor.record(threads, performance.now() - started));
  }

  /** node-llama-cpp's own record of what the sequence holds, as its evaluation keeps it. */
  private decoded(tokens: readonly Token[]): void {
    this.sequence._nextTokenIndex += tokens.length;
    this.sequence._contextTokens.push(...tokens);
  }

  async close(): Promise<void> {
    this.sampler.dispose();
    this.gate?.unconstrained.dispose();
    this.gate?.narrowed.dispose();
  }
}

/** node-llama-cpp's own generation loop, one step per `next()`. */
class EvaluateStepper implements TokenStepper {
  private iterator: AsyncGenerator<Token, void, Token | Token[] | undefined> | undefined;

  constructor(
    private readonly sequence: LlamaContextSequence,
    private readonly sampling: SamplingOptions,
  ) {}

  async step(tokens: readonly Token[]): Promise<Token | null> {
    let result: IteratorResult<Token, void>;
    if (!this.iterator) {
      // Unset fields are undefined, which node-llama-cpp reads as its defaults.
      this.iterator = this.sequence.evaluate([...tokens], this.sampling);
      result = await this.iterator.next();
    } else {
      result = await this.iterator.next([...tokens]);
    }
    return result.done ? null : result.value;
  }

  async close(): Promise<void> {
    await this.iterator?.return(undefined);
  }
}
