export * from './client-event-recorder.ts';
export * from './event-recorder.ts';
export { EVENT_WRITES_PER_POOL } from './event-write-queue.ts';
