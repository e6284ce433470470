import { mean, sum } from "./math";

const samples = [3, 1, 4, 1, 5, 9, 2, 6];
console.log(`sum=${sum(samples)} mean=${mean(samples)}`);
