export * from './backoff.ts';
export * from './json-lines.ts';
export * from './line-splitter.ts';
export * from './liveness.ts';
export * from './raw-watch-event.ts';
export * from './watch-errors.ts';
export * from './watch-event.ts';
export * from './watcher.ts';
