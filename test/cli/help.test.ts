/**
 * Every command's --help comes from its declaration: a usage line, each option it takes with its
 * default, and an example; an option it does not take is refused with a pointer to --help. The
 * helps are read in-process (one spawn per command would take a minute); the real bin is spawned
 * for a few, to show the same text reaches a user.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { COMMANDS, runCli } from '../../cli/cli';
import { defineCommand } from '../../cli/command';

const BIN = path.join(__dirname, '..', '..', 'bin', 'altbridge.js');
const bin = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

/** What runCli writes to stdout, with its exit status. */
async function stdoutOf(argv: string[]): Promise<{ status: number; out: string }> {
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { status: await runCli(argv), out };
  } finally {
    write.mockRestore();
  }
}

test.each(COMMANDS.map((c) => [c.name, c] as const))('altbridge %s --help: usage, every option with its default, an example', async (name, command) => {
  const words = name.split(' ');
  const { status, out } = await stdoutOf([...words, '--help']);
  expect(status).toBe(0);
  expect(out.split('\n')[0]).toBe(`Usage: ${command.usage}`);
  expect(command.usage.startsWith(`altbridge ${name}`)).toBe(true);
  for (const [key, option] of Object.entries(command.options)) {
    const line = out.split('\n').find((l) => l.startsWith(`  --${key} `));
    expect(line).toBeDefined();
    if (option.type !== 'flag' && option.default !== undefined) expect(line).toContain(`default ${option.default}`);
    if (option.type !== 'flag' && option.default === undefined && option.defaultText) expect(line).toContain(`default ${option.defaultText}`);
  }
  expect(out).toMatch(new RegExp(`\\nExample:\\n  altbridge ${name}( .*)?\\n$`));
  // -h and `help NAME` give the same text.
  expect((await stdoutOf([...words, '-h'])).out).toBe(out);
  expect(await stdoutOf(['help', ...words])).toEqual({ status: 0, out });
  // An option the command does not take: refused, naming it and --help.
  await expect(runCli([...words, '--no-such-option'])).rejects.toThrow(`${name}: unknown option --no-such-option; altbridge ${name} --help lists its options`);
});

test('the overall help lists every command; a group word lists its subcommands', async () => {
  const { status, out } = await stdoutOf(['--help']);
  expect(status).toBe(0);
  for (const c of COMMANDS) expect(out).toContain(`\n  ${c.name}  `);
  expect(out).toContain('altbridge COMMAND --help');
  const models = await stdoutOf(['models', '--help']);
  expect(models.status).toBe(0);
  expect(models.out.match(/^ {2}models \S+/gm)).toEqual(['  models list', '  models make-random', '  models fetch', '  models import-clip', '  models add-corpus']);
});

test('a declaration gives parsing its defaults and checks, and the help the same defaults', async () => {
  const seen: unknown[] = [];
  const toy = defineCommand({
    name: 'toy',
    summary: 'a test command',
    options: {
      corpus: { type: 'text', arg: 'FILE', required: true, help: 'the corpus' },
      steps: { type: 'whole', min: 1, default: 7, help: 'steps' },
      share: { type: 'number', arg: 'S', min: 0, max: 1, default: 0.3, help: 'a share' },
      size: { type: 'text', arg: 'SIZE', choices: ['a', 'b'], default: 'a', help: 'a size' },
      fast: { type: 'flag', help: 'go fast' },
    },
    example: 'altbridge toy --corpus c.txt',
    run: (values) => seen.push(values) && 0,
  });
  expect(toy.usage).toBe('altbridge toy --corpus FILE [options]');
  expect(toy.help()).toMatch(/--steps N +steps \(default 7\)\n {2}--share S +a share \(default 0\.3\)\n {2}--size SIZE +a size \(a\|b; default a\)/);
  await expect(toy.main(['--corpus', 'c.txt'])).resolves.toBe(0);
  await expect(toy.main(['--corpus', 'd.txt', '--steps', '3', '--share', '1', '--size', 'b', '--fast'])).resolves.toBe(0);
  expect(seen).toEqual([
    { corpus: 'c.txt', steps: 7, share: 0.3, size: 'a', fast: false },
    { corpus: 'd.txt', steps: 3, share: 1, size: 'b', fast: true },
  ]);
  await expect(toy.main([])).rejects.toThrow('toy: --corpus FILE is required; altbridge toy --help lists its options');
  await expect(toy.main(['--corpus', 'c', '--steps', '0'])).rejects.toThrow('--steps must be a whole number >= 1, got "0"');
  await expect(toy.main(['--corpus', 'c', '--share', '2'])).rejects.toThrow('--share must be a number from 0 to 1, got "2"');
  await expect(toy.main(['--corpus', 'c', '--size', 'z'])).rejects.toThrow('toy: --size must be one of a, b, got "z"');
  await expect(toy.main(['--corpus', 'c', 'extra'])).rejects.toThrow(/Unexpected argument 'extra'.*altbridge toy --help/);
});

test('through the real bin: a subcommand help, help COMMAND, and an unknown option pointing at --help', () => {
  const train = bin('train', '--help');
  expect(train.status).toBe(0);
  expect(train.stdout).toMatch(/^Usage: altbridge train --corpus FILE --clip BUNDLE \[options\]\n/);
  expect(train.stdout).toMatch(/--denoiser-steps N +training steps of the denoiser \(default 10000\)/);
  const fetch = bin('help', 'models', 'fetch');
  expect(fetch.status).toBe(0);
  expect(fetch.stdout).toMatch(/^Usage: altbridge models fetch \[options\] clip-vit-b32\n[^]*\nExample:\n {2}altbridge models fetch clip-vit-b32\n$/);
  const bad = bin('train', '--corpus', 'x.txt', '--stpes', '5');
  expect(bad.status).toBe(1);
  expect(bad.stderr).toBe('altbridge: train: unknown option --stpes; altbridge train --help lists its options\n');
});
