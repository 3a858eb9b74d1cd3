/**
 * The doctor's individual checks. Each looks at one thing, never throws, and says what it found
 * and, when something is wrong, what to do about it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { listBundles, loadBundle, resolveBundle } from '../bundle/load';
import { Graph } from '../graph/graph';
import { toOnnx } from '../graph/onnx';
import { matmul } from '../graph/ops';
import { redact } from './services';

export type Status = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: Status;
  detail: string;
  /** What to do, when the status is not ok. */
  fix?: string;
}

const check = (name: string, status: Status, detail: string, fix?: string): Check => (fix ? { name, status, detail, fix } : { name, status, detail });
const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0];
const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(1)} GB`;

/** Strapi 5 (the plugin's host) needs Node 20 or later; the rest is context for a bug report. */
export function nodeCheck(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  const detail = `${process.version} on ${process.platform} ${process.arch}, ${os.availableParallelism()} CPUs, ${gb(os.totalmem())} memory`;
  return major >= 20 ? check('node', 'ok', detail) : check('node', 'fail', detail, 'install Node.js 20 or later (Strapi 5 needs it)');
}

const ortDir = (): string => path.dirname(require.resolve('onnxruntime-node/package.json'));

/** The installed onnxruntime-node and the execution providers its build knows of. */
export function onnxruntimeCheck(): Check {
  const version = (JSON.parse(fs.readFileSync(path.join(ortDir(), 'package.json'), 'utf8')) as { version: string }).version;
  const backends = ort.listSupportedBackends();
  const built = backends.filter((b) => b.bundled).map((b) => b.name);
  const separate = backends.filter((b) => !b.bundled).map((b) => b.name);
  return check('onnxruntime', 'ok', `onnxruntime-node ${version}; providers built in: ${built.join(', ')}${separate.length ? `; as a separate download: ${separate.join(', ')}` : ''}`);
}

/** x·[[1,2],[3,4]]: the smallest graph that makes a provider load, compile and compute. */
function probeModel(): Uint8Array {
  const g = new Graph();
  g.output(matmul(g.input('x', 'float32', [2, 2]), g.constant([1, 2, 3, 4], [2, 2])), 'y');
  return toOnnx(g);
}

/** The CUDA provider's own library: onnxruntime-node's install script downloads it, so installs under `.npmrc`'s onnxruntime-node-install=skip lack it. */
const CUDA_PROVIDER = 'libonnxruntime_providers_cuda.so';

/**
 * Opens a session with `provider` alone (openSession would fall back to CPU and hide the
 * failure) and checks the product it computes.
 */
export async function providerCheck(provider: string): Promise<Check> {
  const name = `provider:${provider}`;
  const known = ort.listSupportedBackends().map((b) => b.name);
  if (!known.includes(provider)) {
    return check(name, 'fail', `onnxruntime-node has no provider "${provider}" (it knows ${known.join(', ')})`, `remove "${provider}" from ALTBRIDGE_PROVIDERS`);
  }
  try {
    const session = await ort.InferenceSession.create(probeModel(), { executionProviders: [provider] });
    try {
      const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.from([0, 1, 1, 0]), [2, 2]) });
      const got = Array.from(y.data as Float32Array);
      if (got.join() !== '3,4,1,2') return check(name, 'fail', `a 2x2 MatMul gave [${got}] instead of [3,4,1,2]`, `remove "${provider}" from ALTBRIDGE_PROVIDERS and report the onnxruntime bug`);
    } finally {
      await session.release();
    }
    return check(name, 'ok', 'a session with this provider alone ran a 2x2 MatMul correctly');
  } catch (err) {
    const detail = `cannot start: ${firstLine(err)}`;
    if (provider !== 'cuda') return check(name, 'fail', detail, `remove "${provider}" from ALTBRIDGE_PROVIDERS, or make it available on this host`);
    const absent = !fs.existsSync(path.join(ortDir(), 'bin', 'napi-v6', process.platform, process.arch, CUDA_PROVIDER));
    return check(
      name,
      'fail',
      `${detail}${absent ? `; ${CUDA_PROVIDER} is not installed (onnxruntime-node was installed without it)` : ''}`,
      'install the CUDA provider: npm install --onnxruntime-node-install=cuda12 (npm 11: then `npm install-scripts approve onnxruntime-node` and install again); it needs the CUDA 12 and cuDNN 9 libraries (see cuda-libraries)',
    );
  }
}

/** The libraries onnxruntime's CUDA provider (1.30, CUDA 12 build) loads. */
export const CUDA_LIBRARIES = ['libcudart.so.12', 'libcublas.so.12', 'libcublasLt.so.12', 'libcudnn.so.9', 'libcufft.so.11', 'libcurand.so.10'];

/** Library name -> path from `ldconfig -p` output (first entry wins, as for the linker). */
export function parseLinkerCache(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of text.matchAll(/^\s+(\S+) \(.*\) => (.+)$/gm)) if (!found.has(m[1])) found.set(m[1], m[2]);
  return found;
}

/** The dynamic linker's cache; empty where there is no ldconfig. */
function linkerCache(): Map<string, string> {
  for (const ldconfig of ['ldconfig', '/sbin/ldconfig']) {
    const r = spawnSync(ldconfig, ['-p'], { encoding: 'utf8' });
    if (r.status === 0) return parseLinkerCache(r.stdout);
  }
  return new Map();
}

/** Whether the dynamic linker would find the CUDA provider's libraries: in its cache or in LD_LIBRARY_PATH. */
export function cudaLibrariesCheck(cudaConfigured: boolean, cache = linkerCache()): Check {
  const name = 'cuda-libraries';
  if (process.platform !== 'linux') return check(name, 'warn', `not checked on ${process.platform} (the check knows Linux library names)`);
  const folders = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const where = new Map(CUDA_LIBRARIES.map((lib) => [lib, folders.map((d) => path.join(d, lib)).find((p) => fs.existsSync(p)) ?? cache.get(lib)]));
  const found = CUDA_LIBRARIES.filter((lib) => where.get(lib)).map((lib) => `${lib} (${where.get(lib)})`);
  const missing = CUDA_LIBRARIES.filter((lib) => !where.get(lib));
  if (missing.length === 0) return check(name, 'ok', `found ${found.join(', ')}`);
  // Another CUDA major (a CUDA 13 toolkit, say) does not satisfy the provider, which links against these exact sonames.
  const otherMajors = missing.flatMap((lib) => [...cache.keys()].filter((k) => k !== lib && k.startsWith(lib.replace(/\d+$/, '')) && /\.\d+$/.test(k)));
  const detail = [
    `missing ${missing.join(', ')}`,
    found.length ? `; found ${found.join(', ')}` : '',
    otherMajors.length ? `; other versions present (${otherMajors.join(', ')}) do not count: onnxruntime-node's CUDA provider is built for CUDA 12 and cuDNN 9` : '',
    cudaConfigured ? '' : ' (only needed for the cuda provider, which is not configured)',
  ].join('');
  return check(
    name,
    cudaConfigured ? 'fail' : 'warn',
    detail,
    "install CUDA 12 and cuDNN 9 runtime libraries: from NVIDIA's CUDA repository `apt install cuda-cudart-12-x libcublas-12-x libcufft-12-x libcurand-12-x libcudnn9-cuda-12` (x = your CUDA 12 minor), or on Debian 13 (non-free) `apt install libcudart12 libcublas12 libcublaslt12 libcufft11 libcurand10 nvidia-cudnn`; libraries outside the linker cache need their folder in LD_LIBRARY_PATH",
  );
}

/** Loads a bundle as `caption` would, which checks every file's size and sha256 and every tensor's shape. */
function bundleCheck(dir: string, label: string): Check {
  const name = `bundle:${label}`;
  try {
    const b = loadBundle(dir);
    const files = Object.values(b.manifest.files);
    const size = `${files.length} files, ${(files.reduce((a, f) => a + f.bytes, 0) / 1e6).toFixed(1)} MB`;
    if (!b.imageMean) return check(name, 'warn', `incomplete: no ē_img (image_mean), so it cannot bridge (${size})`, `run \`altbridge images-mean\` for ${label}`);
    return check(name, 'ok', `${size} match their sha256; tensor shapes match the networks (${dir})`);
  } catch (err) {
    const why = firstLine(err);
    if (why.includes('CLIP only')) return check(name, 'warn', `incomplete: ${why}`);
    return check(name, 'fail', why, `reinstall ${label} (copy or download it again); a file that does not match manifest.json was damaged or replaced`);
  }
}

/** Every bundle in the models folder, then whether the bundle `caption` uses by default is there (checked too if it lives elsewhere). */
export function bundleChecks(modelsDir: string, defaultRef: string): Check[] {
  const listed = listBundles(modelsDir);
  const checks = listed.map((b) => bundleCheck(b.dir, `${b.name}@${b.version}`));
  try {
    const dir = resolveBundle(defaultRef, modelsDir);
    if (!listed.some((b) => b.dir === dir)) checks.push(bundleCheck(dir, defaultRef));
    checks.push(check('default-bundle', 'ok', `${defaultRef} is ${dir}`));
  } catch (err) {
    checks.push(
      check(
        'default-bundle',
        'fail',
        firstLine(err),
        `install the ${defaultRef} bundle into ${modelsDir}, or set ALTBRIDGE_BUNDLE to one that is there (ALTBRIDGE_MODELS for another folder); \`altbridge models list\` shows them`,
      ),
    );
  }
  return checks;
}

/** Bytes free to this user on the file system that holds `dir`, or the nearest folder above it that exists. */
function freeBytes(dir: string): number {
  let at = path.resolve(dir);
  while (!fs.existsSync(at)) at = path.dirname(at);
  const s = fs.statfsSync(at);
  return s.bavail * s.bsize;
}

/** Training writes the text-embedding cache and checkpoints (runs/ beside the models folder); warns below `minFree`. */
export function diskCheck(folders: Record<string, string>, minFree: number): Check {
  const free = Object.entries(folders).map(([label, dir]) => ({ label, dir, bytes: freeBytes(dir) }));
  const detail = free.map((f) => `${f.label} ${f.dir}: ${gb(f.bytes)} free`).join('; ');
  const low = free.filter((f) => f.bytes < minFree);
  if (low.length === 0) return check('disk', 'ok', detail);
  return check('disk', 'warn', detail, `free at least ${gb(minFree)} under ${low.map((f) => f.dir).join(' and ')}: training fills the text-embedding cache and writes checkpoints`);
}

/** A service probe's outcome, the URL named with its password hidden. */
export async function serviceCheck(name: string, url: string, probe: () => Promise<string>, fix: string): Promise<Check> {
  try {
    return check(name, 'ok', `${redact(url)}: ${await probe()}`);
  } catch (err) {
    return check(name, 'fail', `${redact(url)}: ${firstLine(err)}`, fix);
  }
}
