/**
 * A command declared once: what it does, its options with their checks and defaults, its
 * positional arguments and an example. Parsing (node:util parseArgs) and the command's `--help`
 * both come from the declaration, so the help cannot list an option the command does not take or a
 * default it does not use.
 */
import { parseArgs } from 'util';
import { modelsDir } from '../worker/bundle/load';
import { seedModels } from '../worker/bundle/seed';
import { FROM_SOURCES } from '../worker/package-root';
import { wholeNumberIn } from '../worker/validate';

interface Described {
  help: string;
  /** The default when it is worked out at run time (the environment, the bundle), in words for the help. */
  defaultText?: string;
}
/** A string: a file, a folder, a bundle, a name. */
export interface TextOption extends Described {
  type: 'text';
  arg: string;
  default?: string;
  required?: boolean;
  choices?: readonly string[];
}
/** A whole number, at least `min`. */
export interface WholeOption extends Described {
  type: 'whole';
  min: number;
  default?: number;
}
/** Any number in [min, max]. */
export interface NumberOption extends Described {
  type: 'number';
  arg: string;
  min: number;
  max?: number;
  default?: number;
}
/** On when given. */
export interface FlagOption extends Described {
  type: 'flag';
}
export type Option = TextOption | WholeOption | NumberOption | FlagOption;
export type Options = Record<string, Option>;

/** An option's parsed value: defined when it has a default or is required; one of its choices when it has them. */
type Value<O extends Option> = O extends FlagOption
  ? boolean
  : O extends { choices: readonly (infer C)[] }
    ? C | (O extends { default: unknown } ? never : undefined)
    : O extends { default: infer D }
      ? D
      : O extends { required: true }
        ? string
        : (O extends TextOption ? string : number) | undefined;
export type Values<O extends Options> = { [K in keyof O]: Value<O[K]> };

export interface CommandSpec<O extends Options> {
  /** The command words, e.g. "models fetch". */
  name: string;
  /** One line, for the overall help's list of commands. */
  summary: string;
  /** More about what it does, for its own help. */
  about?: string;
  options: O;
  /** What follows the options, as the usage line shows it (e.g. "IMAGE|DIR ..."), and how many may be given. */
  positionals?: { arg: string; min: number; max?: number };
  example: string;
  /** `args`: the command line after the command words, as given (runs record it in provenance). */
  run(values: Values<O>, positionals: string[], args: string[]): number | Promise<number>;
}

export interface Command {
  name: string;
  summary: string;
  options: Options;
  /** `altbridge NAME ...`: required options, [options] and positionals. */
  usage: string;
  help(): string;
  /** Runs the command on its arguments, or prints its help for -h/--help; the exit status. */
  main(args: string[]): Promise<number>;
}

const HELP_HINT = (name: string) => `altbridge ${name} --help lists its options`;

function optionWords(key: string, o: Option): string {
  if (o.type === 'flag') return `--${key}`;
  return `--${key} ${o.type === 'whole' ? 'N' : o.arg}`;
}

function optionHelp(o: Option): string {
  const notes: string[] = [];
  if (o.type === 'text' && o.choices) notes.push(o.choices.join('|'));
  if (o.type === 'text' && o.required) notes.push('required');
  if (o.type !== 'flag' && o.default !== undefined) notes.push(`default ${o.default}`);
  else if (o.defaultText) notes.push(`default ${o.defaultText}`);
  return notes.length ? `${o.help} (${notes.join('; ')})` : o.help;
}

/** `-- "--x"` advice from parseArgs does not fit a user who mistyped an option: name the option and where the list is. */
function parseError(name: string, err: Error & { code?: string }): Error {
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(err.message)?.[1] ?? 'option';
    return new Error(`${name}: unknown option ${option}; ${HELP_HINT(name)}`);
  }
  if (err.code?.startsWith('ERR_PARSE_ARGS')) return new Error(`${name}: ${err.message}; ${HELP_HINT(name)}`);
  return err;
}

/** An option's value as the command receives it: checked, or its default when not given. */
function value(name: string, key: string, o: Option, raw: string | boolean | undefined): unknown {
  if (o.type === 'flag') return raw === true;
  if (typeof raw !== 'string') {
    if (o.type === 'text' && o.required) throw new Error(`${name}: --${key} ${o.arg} is required; ${HELP_HINT(name)}`);
    return o.default;
  }
  if (o.type === 'whole') return wholeNumberIn(`--${key}`, raw, o.min);
  if (o.type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < o.min || (o.max !== undefined && n > o.max)) {
      throw new RangeError(`--${key} must be a number ${o.max === undefined ? `>= ${o.min}` : `from ${o.min} to ${o.max}`}, got "${raw}"`);
    }
    return n;
  }
  if (o.choices && !o.choices.includes(raw)) throw new RangeError(`${name}: --${key} must be one of ${o.choices.join(', ')}, got "${raw}"`);
  return raw;
}

/** The command a declaration describes: its usage line, its help, and a main that parses by the declaration. */
export function defineCommand<O extends Options>(spec: CommandSpec<O>): Command {
  const { name, options, positionals: pos } = spec;
  const required = Object.entries(options).filter(([, o]) => o.type === 'text' && o.required);
  const usage = [`altbridge ${name}`, ...required.map(([key, o]) => optionWords(key, o)), ...(Object.keys(options).length > required.length ? ['[options]'] : []), ...(pos ? [pos.arg] : [])].join(' ');

  const help = () => {
    const rows: [string, string][] = [...Object.entries(options).map(([key, o]): [string, string] => [optionWords(key, o), optionHelp(o)]), ['-h, --help', 'this help']];
    const width = Math.max(...rows.map(([w]) => w.length)) + 2;
    return [
      `Usage: ${usage}`,
      '',
      `${spec.summary[0].toUpperCase()}${spec.summary.slice(1)}.${spec.about ? ` ${spec.about}` : ''}`,
      '',
      'Options:',
      ...rows.map(([w, h]) => `  ${w.padEnd(width)}${h}`),
      '',
      'Example:',
      `  ${spec.example}`,
      '',
    ].join('\n');
  };

  async function main(args: string[]): Promise<number> {
    const config = Object.fromEntries(Object.entries(options).map(([key, o]) => [key, { type: o.type === 'flag' ? ('boolean' as const) : ('string' as const) }]));
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args, allowPositionals: pos !== undefined, options: { ...config, help: { type: 'boolean', short: 'h' } } });
    } catch (err) {
      throw parseError(name, err as Error);
    }
    if (parsed.values.help) {
      process.stdout.write(help());
      return 0;
    }
    const given = parsed.positionals;
    if (pos && (given.length < pos.min || (pos.max !== undefined && given.length > pos.max))) {
      throw new Error(`${name}: ${given.length < pos.min ? `name ${pos.arg}` : `too many arguments (${given.join(' ')}); expected ${pos.arg}`}; ${HELP_HINT(name)}`);
    }
    const values = Object.fromEntries(Object.entries(options).map(([key, o]) => [key, value(name, key, o, parsed.values[key] as string | boolean | undefined)])) as Values<O>;
    // Run from an installed package, the models folder is the app's own: given the shipped bundles before first use.
    if (!FROM_SOURCES) seedModels(modelsDir());
    return spec.run(values, given, args);
  }

  return { name, summary: spec.summary, options, usage, help, main };
}
