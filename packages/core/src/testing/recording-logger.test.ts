import { describe, expect, it } from 'vitest';
import { RecordingLogger } from './recording-logger.ts';

describe('RecordingLogger', () => {
  it("keeps its children's lines in its own list, with their bindings, in the order written", () => {
    const log = new RecordingLogger();
    const child = log.child({ controller: 'c' }).child({ cluster: 'x' });
    log.info('starting');
    child.warn({ attempt: 2 }, 'retrying');
    child.error(new Error('boom'));
    expect(log.lines.map((l) => [l.level, l.message])).toEqual([
      ['info', 'starting'],
      ['warn', 'retrying'],
      ['error', 'boom'],
    ]);
    expect(log.lines[1]?.fields).toEqual({ controller: 'c', cluster: 'x', attempt: 2 });
    expect(log.lines[2]?.fields.err).toBeInstanceOf(Error);
    expect(log.text('warn')).toEqual(['{"controller":"c","cluster":"x","attempt":2,"msg":"retrying"}']);
    expect(log.text()).toHaveLength(3);
  });
});
