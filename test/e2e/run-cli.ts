// Runs the exhunt CLI in-process, as the end-to-end tests do: its exit code and what it wrote to each stream.
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';

export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(args, { stdout, stderr });
  return { code, out, err };
}
