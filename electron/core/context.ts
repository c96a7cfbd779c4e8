import type { DetectReport } from '../../shared/detect/types';
import type { EventBus } from './events';
import type { SettingsStore } from './settings';

/** What every feature's service gets from core: folders, settings, events and cached detection. */
export interface CoreContext {
  dataDir: string;
  resourcesDir: string;
  events: EventBus;
  settings: SettingsStore;
  /** Cached detection; refresh re-runs it. */
  detect(refresh?: boolean): Promise<DetectReport>;
  /** CLI overrides for this process (flags, never a request: a client over HTTP cannot set them). */
  overrides: { nvidiaSmi?: string | null; python?: string | null; checkout?: string | null };
}
