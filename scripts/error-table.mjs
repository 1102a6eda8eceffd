// Regenerate the README's error-code table from src/errors.ts (via the build).
// Usage: npm run docs:errors
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { ERROR_CODES } = await import(new URL('../dist/src/errors.js', import.meta.url).href);
const rows = Object.entries(ERROR_CODES).map(
  ([c, d]) => `| \`${c}\` | ${d.status} | ${d.permanent ? 'no' : 'yes'} | ${d.message.replace(/\|/g, '\\|')} |`,
);
const table = ['| code | HTTP | retry may help | meaning |', '|---|---|---|---|', ...rows].join('\n');
const readme = `${root}README.md`;
const text = readFileSync(readme, 'utf8').replace(
  /<!-- error-codes:start -->[\s\S]*<!-- error-codes:end -->/,
  `<!-- error-codes:start -->\n${table}\n<!-- error-codes:end -->`,
);
writeFileSync(readme, text);
console.log(`README error table: ${rows.length} codes`);
