// Shrinks the widget's critical path after wasm-bindgen: every byte here is downloaded before the
// checkout is interactive.
//
//   node xtask/shrink-widget.mjs <dir>     (dir holds widget.js and widget_bg.wasm from wasm-bindgen)
//
// 1. wasm-opt -Oz, dropping the exports of wasm-streams (a dependency of Leptos's server
//    functions, which a CSR widget never calls), and renaming every import and export to one or
//    two letters: wasm-bindgen's names carry 16-hex-digit hashes that gzip cannot compress.
// 2. The JS glue is rewritten to the short names, loses the dead wasm-streams classes, and is
//    minified by esbuild (bundled from an entry that keeps only `init`, so unused exports go).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.argv[2];
if (!dir) throw new Error('usage: shrink-widget.mjs <dir>');
const wasmPath = join(dir, 'widget_bg.wasm');
const gluePath = join(dir, 'widget.js');

// Features the Rust wasm32 target emits by default; wasm-opt must be told it may keep them.
const features = ['bulk-memory', 'nontrapping-float-to-int', 'sign-ext', 'mutable-globals', 'reference-types', 'multivalue']
  .map((f) => `--enable-${f}`);
const DEAD_EXPORTS = '*intounderlying*';
// npm's binaryen: Debian's older wasm-opt silently breaks Leptos output.
const mapText = execFileSync(join(root, 'node_modules/.bin/wasm-opt'), [
  ...features, '--remove-exports', `--pass-arg=remove-exports@${DEAD_EXPORTS}`, '-Oz',
  '--minify-imports-and-exports-and-modules', wasmPath, '-o', wasmPath,
], { encoding: 'utf8', maxBuffer: 1 << 24 });
const map = JSON.parse(mapText.slice(mapText.indexOf('{')));

const module = new WebAssembly.Module(readFileSync(wasmPath));
const modules = [...new Set(WebAssembly.Module.imports(module).map((i) => i.module))];
if (modules.length !== 1) throw new Error(`expected one import module after minifying, got ${modules}`);
const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));

let glue = readFileSync(gluePath, 'utf8');
const before = glue.length;

// The wasm-streams classes and their finalizers, whose exports are gone.
glue = glue.replace(/^export class IntoUnderlying\w+ \{[\s\S]*?^if \(Symbol\.dispose\) IntoUnderlying\w+\.prototype\[Symbol\.dispose\] = IntoUnderlying\w+\.prototype\.free;\n/gm, '');
glue = glue.replace(/^const IntoUnderlying\w+Finalization = [\s\S]*?;\n/gm, '');
if (/IntoUnderlying/.test(glue)) throw new Error('wasm-bindgen glue changed shape: IntoUnderlying* still referenced');

const ident = (name) => /^[A-Za-z_$][\w$]*$/.test(name);
const member = (name) => (ident(name) ? `.${name}` : `[${JSON.stringify(name)}]`);
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Imports: the keys of the import object the glue hands to WebAssembly.instantiate.
let renamedImports = 0;
for (const [, oldName, newName] of map.imports) {
  const re = new RegExp(`^(\\s+)${escape(oldName)}(: function\\b)`, 'm');
  if (!re.test(glue)) throw new Error(`import ${oldName} not found in the glue`);
  glue = glue.replace(re, `$1${JSON.stringify(newName)}$2`);
  renamedImports += 1;
}
glue = glue.replace(/"\.\/widget_bg\.js": import0/, `${JSON.stringify(modules[0])}: import0`);
// Exports: every `wasm.name` the glue reads.
for (const [oldName, newName] of map.exports) {
  if (!exported.has(newName)) continue;
  glue = glue.replace(new RegExp(`\\bwasm\\.${escape(oldName)}\\b`, 'g'), `wasm${member(newName)}`);
}
const leftover = [...glue.matchAll(/\bwasm\.(\w+)/g)].map((m) => m[1]).filter((n) => !exported.has(n));
if (leftover.length) throw new Error(`glue reads exports the wasm no longer has: ${[...new Set(leftover)]}`);

const raw = join(dir, 'widget.raw.js');
const entry = join(dir, 'widget.entry.js');
writeFileSync(raw, glue);
writeFileSync(entry, "export { default } from './widget.raw.js';\n");
execFileSync(join(root, 'node_modules/.bin/esbuild'), [
  entry, '--bundle', '--minify', '--format=esm', '--target=es2020', '--log-level=warning', `--outfile=${gluePath}`,
  '--allow-overwrite',
], { stdio: 'inherit' });
rmSync(raw);
rmSync(entry);
console.log(`    shrink: ${renamedImports} imports and ${map.exports.length} exports renamed; glue ${before} -> ${readFileSync(gluePath).length} bytes`);
