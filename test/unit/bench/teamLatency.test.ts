import { describe, expect, it } from "vitest";
import { teamFigures, typistsServed, type KeystrokeRecord } from "../../bench/team/latency";
import { evaluatedPromptTokens, parsePrometheus, serverBusySeconds } from "../../bench/team/serverMetrics";

const key = (typedAt: number, more: Partial<KeystrokeRecord> = {}): KeystrokeRecord => ({ typist: 0, typedAt, lastOfBurst: false, ...more });

describe("team latency accounting", () => {
  const records: KeystrokeRecord[] = [
    key(0, { shownAt: 70, source: "model" }),
    key(120), // typed over: no suggestion before the next key
    key(240, { shownAt: 330, source: "model" }),
    key(360, { shownAt: 410, source: "cache" }),
    key(480, { shownAt: 560, source: "model", lastOfBurst: true, wholeAt: 800 }),
    key(2100, { lastOfBurst: true }), // a pause without a suggestion
    key(4000, { failure: "HTTP 500", lastOfBurst: true }),
  ];
  const f = teamFigures(records, 1500);

  it("counts model answers that were shown, not cache hits or keys typed over", () => {
    expect(f.latencies).toEqual([70, 90, 80]);
    expect(f.p50).toBe(80);
    expect(f.p95).toBe(90);
    expect(f.cacheHits).toBe(1);
  });

  it("counts a pause without a suggestion as the whole pause", () => {
    expect(f.pauseLatencies).toEqual([80, 1500, 1500]);
    expect(f.pausesWithoutSuggestion).toBe(2);
    expect(f.wholeP95).toBe(320);
  });

  it("gives the share of keys within bursts answered before the next key, and the failures", () => {
    expect(f.answeredShare).toBe(3 / 4);
    expect(f.failures).toBe(1);
    expect(f.keystrokes).toBe(7);
  });

  it("has no figures without samples", () => {
    expect(Number.isNaN(teamFigures([], 1500).p95)).toBe(true);
  });
});

describe("typists served", () => {
  it("is the largest team, going up, whose p95 stays within the factor of the smallest team's", () => {
    const runs = [
      { typists: 8, p95: 250, failures: 0 },
      { typists: 1, p95: 100, failures: 0 },
      { typists: 4, p95: 190, failures: 0 },
    ];
    expect(typistsServed(runs, 2)).toBe(4);
    expect(typistsServed(runs, 2.5)).toBe(8);
  });

  it("stops at a team with failures, and is 0 when the smallest team failed", () => {
    expect(typistsServed([{ typists: 1, p95: 100, failures: 0 }, { typists: 4, p95: 100, failures: 2 }, { typists: 8, p95: 100, failures: 0 }], 2)).toBe(1);
    expect(typistsServed([{ typists: 1, p95: 100, failures: 1 }], 2)).toBe(0);
    expect(typistsServed([], 2)).toBe(0);
  });
});

describe("server busy time from /metrics", () => {
  it("adds llama-server's prompt and generation seconds", () => {
    const text = [
      "# HELP llamacpp:prompt_seconds_total Prompt process time",
      "# TYPE llamacpp:prompt_seconds_total counter",
      "llamacpp:prompt_seconds_total 0.25",
      "llamacpp:tokens_predicted_seconds_total 1.5",
      "llamacpp:requests_processing 0",
    ].join("\n");
    expect(serverBusySeconds(parsePrometheus(text))).toBeCloseTo(1.75);
    expect(evaluatedPromptTokens(parsePrometheus(`${text}\nllamacpp:prompt_tokens_total 454`))).toBe(454);
  });

  it("sums vLLM's labelled histogram sums", () => {
    const text = [
      'vllm:request_prefill_time_seconds_sum{model_name="a"} 2',
      'vllm:request_prefill_time_seconds_sum{model_name="b"} 1',
      'vllm:request_decode_time_seconds_sum{model_name="a"} 4',
    ].join("\n");
    expect(serverBusySeconds(parsePrometheus(text))).toBe(7);
  });

  it("says nothing for a server without those counters", () => {
    expect(serverBusySeconds(parsePrometheus("sglang:num_requests_running 3\nnot a metric line"))).toBeUndefined();
  });
});
