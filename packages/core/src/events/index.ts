export * from './client-event-recorder.ts';
export * from './event-recorder.ts';
