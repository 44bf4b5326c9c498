// What the browser tests share: their arguments, and playwright-core driving
// Debian's chromium (never a downloaded browser). A missing piece is one
// failed check with the command that installs it.
import fs from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

// [PROFVIEW, TESTS_DIR, ARTEFACT_DIR] from argv, or exit 2 with the usage.
export function testArgs(script) {
  const args = process.argv.slice(2, 5);
  if (args.length < 3 || args.some((a) => !a)) {
    console.error(`usage: node ${script} PROFVIEW TESTS_DIR ARTEFACT_DIR`);
    process.exit(2);
  }
  return args;
}

// playwright-core's chromium, or exit 1 saying what to install.
export async function loadChromium(here) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    console.error(`error: playwright-core is not installed: run 'npm ci' in ${here} (${e.message})`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`error: ${CHROMIUM} is missing: apt-get install chromium`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  return chromium;
}
