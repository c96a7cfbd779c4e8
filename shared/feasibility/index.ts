export { checkFeasibility, predictPerGpu, resolveSpec, withCheckout, fullest } from './check';
export type { CheckInput } from './check';
export { parseHardwareSpec, hardwareFromDetect, findGpuModel, GPU_TABLE } from './hardware';
export { planMemory } from './memory';
export type { MemoryPlan, RankMemory } from './memory';
export { MODEL, GB, GiB, MiB } from './constants';
export { geometry, clipsForAudio } from './geometry';
export * from './types';
