export * from './flush-logger.ts';
export * from './json-logger.ts';
export * from './line-logger.ts';
export * from './logger.ts';
export * from './redact-fields.ts';
