/** Small numeric helpers the completion and refactor cases type into. */
export function sum(values: number[]): number {
  let total = 0;
  for (const value of values) {
    total += value;
  }
  return total;
}

export function mean(values: number[]): number {
  if (values.length === 0) {
    throw new Error("mean of an empty list");
  }
  return sum(values) / values.length;
}
