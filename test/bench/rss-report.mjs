/**
 * Peak memory of a Node process, for `npm run bench` figure 3:
 *
 *   BENCH_RSS_FILE=/tmp/rss node --import ./test/bench/rss-report.mjs bin/aistudio-key.js create …
 *
 * At exit, writes `process.resourceUsage().maxRSS` (kilobytes: the process's peak resident set, as
 * getrusage reports it; the same figure as `/usr/bin/time -v`'s "Maximum resident set size") to
 * BENCH_RSS_FILE. Does nothing without it.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, `${process.resourceUsage().maxRSS}\n`);
  });
}
