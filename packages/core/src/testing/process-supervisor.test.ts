import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../util/wait-for.ts';
import { SupervisedProcess, processGroupExists } from './process-supervisor.ts';
import { ScratchDirectories } from './scratch-directories.ts';

const scratch = new ScratchDirectories('kubeloom-supervisor-');
afterAll(() => scratch.removeAll());

// Real processes: starting node and seeing a process group go can take seconds on a loaded machine, so the
// waits below are the bounds, not vitest's 5 s default.
describe('SupervisedProcess', { timeout: 30_000 }, () => {
  it('stop() ends the server and its whole process group', async () => {
    const server = SupervisedProcess.start('sleep', ['300'], {
      env: { PATH: process.env.PATH },
      logFile: join(scratch.make(), 'log'),
    });
    expect(processGroupExists(server.pid)).toBe(true);
    await server.stop();
    expect(server.running).toBe(false);
    expect(processGroupExists(server.pid)).toBe(false);
  });

  it('reports how a server that exits by itself ended', async () => {
    const server = SupervisedProcess.start('sh', ['-c', 'echo bye; exit 3'], {
      env: { PATH: process.env.PATH },
      logFile: join(scratch.make(), 'log'),
    });
    expect(await server.exited).toBe('code 3');
    await waitFor(() => !processGroupExists(server.pid), { what: 'the group to be gone', timeoutMs: 10_000 });
  });

  it('leaves nothing running when the test process is SIGKILLed', async () => {
    const dir = scratch.make();
    const script = join(dir, 'parent.ts');
    const supervisor = new URL('./process-supervisor.ts', import.meta.url).pathname;
    writeFileSync(
      script,
      [
        `import { SupervisedProcess } from '${supervisor}';`,
        `const server = SupervisedProcess.start('sleep', ['300'], { env: { PATH: process.env.PATH }, logFile: '${join(dir, 'log')}' });`,
        'process.stdout.write(`${server.pid}\\n`);',
        'setInterval(() => {}, 1000);',
      ].join('\n'),
    );
    const parent = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pgid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      parent.once('exit', (code) => reject(new Error(`parent exited early with ${code}`)));
    });
    expect(processGroupExists(pgid)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(() => !processGroupExists(pgid), {
      what: `process group ${pgid} to be gone after its parent was SIGKILLed`,
      timeoutMs: 20_000,
    });
  });
});
