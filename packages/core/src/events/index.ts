export * from './client-event-recorder.ts';
