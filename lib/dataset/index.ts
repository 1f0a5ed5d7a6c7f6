// Public API of the dataset layer: indexing, emotion vocabulary, splits, reports.
export * from './types';
export * from './emotions';
export { DatasetError } from './errors';
export { indexDataset, CORPUS_OPTIONS, VOCAL_CHANNEL_OPTIONS, type IndexInput, type IndexOptions, type VocalChannelFilter } from './index-dataset';
export { countItems, countByEmotion } from './counts';
export { findDuplicates, sha1File } from './duplicates';
export { indexManifest } from './indexers/manifest';
export { loadCremaDemographics } from './indexers/crema-d';
export * from './splits';
export { formatIndexReport, type ReportOptions } from './report';
export { toIndexJson, type IndexJson } from './serialize';
