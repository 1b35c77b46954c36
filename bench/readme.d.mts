/** The README with its bench block replaced by `results` (bench/results.md's text). */
export function withFigures(readme: string, results: string): string;
/** Writes the README's bench block from `results` (default: bench/results.md). */
export function updateReadme(results?: string): void;
