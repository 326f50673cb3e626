// Preloaded (`node -r`) into the peer's unchanged crf.js: writes the process's peak RSS (kB) to BENCH_RSS_FILE at exit.
'use strict';
const fs = require('fs');
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) fs.writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
