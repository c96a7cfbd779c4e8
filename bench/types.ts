/** One benchmark figure: a ratio against a named baseline on the same machine, never an absolute pass/fail. */
export interface BenchResult {
  name: string;
  /** ours / baseline (or the ratio the benchmark defines in `detail`). */
  ratio: number;
  detail: string;
}
export type Bench = () => Promise<BenchResult[]>;
