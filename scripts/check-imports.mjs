#!/usr/bin/env node
// Imports run one way (docs/architecture.md): no circle between files, type imports
// included, and no folder importing one of a higher layer. Reads src/ as text, so it
// needs no build. Exit 1 naming each circle and each import against the layers.
import fs from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'src');

/**
 * From the lowest layer up: a file may import its own layer and those below. Entries
 * are folders, or files where a folder spans layers (a provider's option declarations
 * sit low, beside the config that reads them); the longest entry that names a file wins.
 */
const LAYERS = [
  ['files', 'logger', 'verdict', 'stream', 'receipts'],
  ['store', 'runlog'],
  [
    'config/spec.ts',
    'config/approval-classes.ts',
    'provider/names.ts',
    'provider/claude/options.ts',
    'provider/codex/options.ts',
  ],
  ['config', 'context', 'budget', 'checks', 'probe', 'cooldown', 'kubernetes', 'alerts', 'memory'],
  ['mcp', 'runner', 'sandbox', 'approval', 'policy'],
  ['provider', 'probe/run'],
  ['tier'],
  ['record'],
  ['notify', 'metrics', 'desk'],
  ['cycle'],
  ['scheduler', 'daemon', 'console', 'status', 'validate', 'http'],
  ['main.ts'],
];

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.ts$/.test(e.name) && !/\.(test|fixture)\.ts$/.test(e.name) ? [p] : [];
  });
}

function importsOf(file, known) {
  const text = fs.readFileSync(file, 'utf8');
  const out = new Set();
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)) {
    const target = path.resolve(path.dirname(file), m[1]).replace(/\.js$/, '.ts');
    if (known.has(target)) out.add(target);
  }
  return out;
}

/** Strongly connected groups of more than one node (Tarjan). */
function circles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const found = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) !== idx.get(v)) return;
    const group = [];
    let w;
    do {
      w = stack.pop();
      on.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) found.push(group.sort());
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

/** The layer of a file: the longest LAYERS entry that is the file or a folder holding it. */
function layerOf(file) {
  const rel = path.relative(SRC, file).split(path.sep).join('/');
  let best = { layer: -1, length: -1 };
  LAYERS.forEach((entries, layer) => {
    for (const e of entries)
      if ((rel === e || rel.startsWith(`${e}/`)) && e.length > best.length) best = { layer, length: e.length };
  });
  return best.layer;
}

const files = sources(SRC);
const known = new Set(files);
const graph = new Map(files.map((f) => [f, importsOf(f, known)]));
const problems = [];
for (const group of circles(graph))
  problems.push(`import circle: ${group.map((f) => path.relative(SRC, f)).join(' → ')}`);
for (const [file, targets] of graph) {
  const from = layerOf(file);
  if (from < 0)
    problems.push(
      `${path.relative(SRC, file)} is in no layer: add it (or its folder) to LAYERS in scripts/check-imports.mjs and to docs/architecture.md`,
    );
  for (const t of targets) {
    if (layerOf(t) > from)
      problems.push(
        `${path.relative(SRC, file)} (layer ${from}) imports ${path.relative(SRC, t)} (layer ${layerOf(t)}), a higher layer`,
      );
  }
}
if (problems.length) {
  console.error(`${problems.length} import problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`imports: ${files.length} files, no circle, every import down the layers`);
