/**
 * Settings the run manager consumes itself; they never reach the workload's argv. `stall_action`,
 * `python`, `gpus`, `checkout` and `output_dir` map onto RunSpec fields so a `--set` and a
 * profile mean the same. One list for the planner, the feasibility check and the profiles.
 */
export const RUNNER_KEYS = ['stall_action', 'python', 'gpus', 'checkout', 'output_dir', 'stall_after_sec', 'startup_budget_sec', 'nccl_p2p_disable', 'nccl_debug'] as const;
export type RunnerKey = (typeof RUNNER_KEYS)[number];

/** Machine-local choices a shared profile may not carry (the interpreter, folders): see profiles' MACHINE_KEYS. */
const MACHINE_LOCAL: readonly RunnerKey[] = ['python', 'checkout', 'output_dir'];

/** Runner settings a profile may carry. */
export const PROFILE_RUNNER_KEYS: readonly string[] = RUNNER_KEYS.filter((k) => !MACHINE_LOCAL.includes(k));

export const isRunnerKey = (key: string): key is RunnerKey => (RUNNER_KEYS as readonly string[]).includes(key);
