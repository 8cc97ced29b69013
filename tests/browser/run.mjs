// Runs every browser check; exits non-zero if one fails.
import { liveReload } from "./live_reload.mjs";

const checks = [["live reload", liveReload]];
let failed = 0;
for (const [name, check] of checks) {
  try {
    await check();
  } catch (err) {
    failed++;
    console.error(`not ok - ${name}\n${err.stack || err}`);
  }
}
process.exit(failed ? 1 : 0);
