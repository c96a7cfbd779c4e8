/** A recognised failure, with its root-cause rank and the fix. Owned by the failure explainer. */
export type FixAction =
  | { kind: 'set'; key: string; value: string | number | boolean }
  | { kind: 'env'; name: string; value: string }
  | { kind: 'mode'; mode: string }
  | { kind: 'port' };

export interface Evidence {
  file: string;
  line: number;
  text: string;
}

export interface Diagnosis {
  code: string;
  rank: number | null;
  title: string;
  explanation: string;
  fix: string;
  evidence: Evidence | null;
  fields?: Record<string, string | number>;
  fixes?: FixAction[];
}
