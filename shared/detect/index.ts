/** Detection's pure half: parsers of nvidia-smi outputs, failure classification and warnings. */
export * from './types';
export * from './values';
export * from './query-csv';
export * from './topology';
export * from './smi-table';
export * from './smi-failure';
export * from './warnings';
export * from './text';
export * from './format';
export * from './misc';
