// Runs every browser check; exits non-zero if one fails. Each check is also a script of its
// own (`node a11y.mjs`); README.md says what each one verifies.
import { a11y } from "./a11y.mjs";
import { embed } from "./embed.mjs";
import { languages } from "./languages.mjs";
import { liveReload } from "./live_reload.mjs";
import { screenshots } from "./screenshots.mjs";
import { search } from "./search.mjs";
import { size } from "./size.mjs";
import { thumbnails } from "./thumbnails.mjs";
import { validate } from "./validate.mjs";

const checks = [
  ["HTML validation", validate],
  ["size", size],
  ["accessibility", a11y],
  ["listing thumbnails", thumbnails],
  ["search", search],
  ["click-to-load frames", embed],
  ["screenshots", screenshots],
  ["languages", languages],
  ["live reload", liveReload],
];
let failed = 0;
for (const [name, check] of checks) {
  try {
    await check();
  } catch (err) {
    failed++;
    console.error(`not ok - ${name}\n${err.stack || err}`);
  }
}
console.log(`${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
