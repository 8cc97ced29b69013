// Shared helpers for the browser checks: a gazette server on a scratch copy of a site,
// and headless Chromium driven by playwright-core.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, "..", "..");
export const GAZETTE = process.env.GAZETTE_BIN || join(REPO, "target", "release", "gazette");
export const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
export const DEADLINE_MS = 20000;

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** Copies `site` (a folder) to a scratch folder and starts `gazette serve` there. */
export async function serve(site, extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), "gazette-browser-"));
  cpSync(site, dir, { recursive: true, filter: (src) => !/\/(output|target|node_modules|\.git)(\/|$)/.test(src.slice(site.length)) });
  const port = await freePort();
  const child = spawn(GAZETTE, ["serve", "--port", String(port), ...extraArgs], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1" },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("serve did not start:\n" + output)), 60000);
    const look = () => {
      const m = output.match(/serving .* at (http:\/\/\S+) \(Ctrl-C to stop\)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      } else {
        setTimeout(look, 50);
      }
    };
    look();
  });
  return {
    dir,
    url,
    output: () => output,
    async stop() {
      child.kill("SIGINT");
      await new Promise((ok) => child.once("exit", ok));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Builds `site` with gazette into a scratch folder; returns that folder. */
export async function build(site, args = []) {
  const out = mkdtempSync(join(tmpdir(), "gazette-build-"));
  await new Promise((ok, fail) => {
    const child = spawn(GAZETTE, ["build", "--quiet", "--root", site, "--output", out, ...args]);
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => (code === 0 ? ok() : fail(new Error("build failed:\n" + err))));
  });
  return out;
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}
