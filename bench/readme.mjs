// Copies the figures of a full benchmark run into the root README, between its bench markers, so that the
// README shows the run that bench/results.md shows. run.mjs calls it after a full run; alone:
// `node bench/readme.mjs` (from bench/results.md as it is).
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BEGIN = '<!-- bench:begin (written by bench/readme.mjs from bench/results.md; do not edit) -->';
const END = '<!-- bench:end -->';

/** The README with its bench block replaced by `results` (bench/results.md's text). */
export function withFigures(readme, results) {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END, start);
  if (start < 0 || end < start) throw new Error(`README.md has no "${BEGIN}" … "${END}" block`);
  const body = results
    .split('\n')
    .filter((line) => !line.startsWith('# ') && !line.startsWith('Chart: '))
    .map((line) => (line.startsWith('## ') ? `### ${line.slice(3)}` : line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return `${readme.slice(0, start + BEGIN.length)}\n${body}\n${readme.slice(end)}`;
}

export function updateReadme(results = readFileSync(join(here, 'results.md'), 'utf8')) {
  const path = join(here, '..', 'README.md');
  writeFileSync(path, withFigures(readFileSync(path, 'utf8'), results));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) updateReadme();
