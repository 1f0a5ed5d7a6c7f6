'use strict';
// Installs the pinned LibTorch (the PyTorch wheel, which carries a complete LibTorch) into the
// per-user cache. Used by `ser-native setup`, by the first use of the package when no LibTorch is
// found, and by the install script when it has to build from source.
//
// Safe against concurrency and interruption: one process holds a lock folder while pip installs
// into a temporary folder; the folder is renamed into place only after it was verified, and a
// COMPLETE marker is what the run-time lookup checks. Other processes wait for the lock.

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const libtorch = require('./libtorch');

const LOCK_STALE_MS = 30 * 60 * 1000;

function sleepMs(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function folderSize(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderSize(p);
    else if (entry.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Takes the lock folder, or returns false when a live process holds it. Breaks stale locks. */
function tryLock(lockDir) {
  try {
    fs.mkdirSync(lockDir);
    fs.writeFileSync(path.join(lockDir, 'owner.json'), JSON.stringify({ pid: process.pid, since: Date.now() }));
    return true;
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
  }
  let owner = null;
  try {
    owner = JSON.parse(fs.readFileSync(path.join(lockDir, 'owner.json'), 'utf8'));
  } catch {
    // The owner is between mkdir and writeFile: treat the lock as live unless it is old.
    const age = Date.now() - fs.statSync(lockDir).mtimeMs;
    if (age < 10000) return false;
  }
  if (owner && pidAlive(owner.pid) && Date.now() - owner.since < LOCK_STALE_MS) return false;
  fs.rmSync(lockDir, { recursive: true, force: true });
  return tryLock(lockDir);
}

class SetupError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'SetupError';
    this.code = code;
  }
}

function noPythonMessage() {
  return (
    'ser-native needs LibTorch and found none, and python3 (with pip) is not available to install it.\n' +
    'Fix it in one of these ways:\n' +
    '  - install python3 and pip (Debian/Ubuntu: apt install python3 python3-pip), then run `npx ser-native setup`;\n' +
    `  - or download and unpack a LibTorch ${libtorch.PINNED_VERSION} archive (CPU, cxx11 ABI) and set LIBTORCH=/path/to/libtorch.`
  );
}

/**
 * Installs the pinned wheel unless the cache already has it.
 * options: { cuda = false, log = (line) => {}, pipArgs = SER_NATIVE_PIP_ARGS }
 * Returns { target, version, bytes, seconds, installed: boolean, waitedForOther: boolean }.
 */
function setup(options = {}) {
  const flavour = options.cuda ? 'cuda' : 'cpu';
  const log = options.log || (() => {});
  const home = libtorch.serNativeHome();
  const target = libtorch.cacheTarget(flavour);
  const complete = path.join(target, 'COMPLETE');
  fs.mkdirSync(home, { recursive: true });
  const lockDir = path.join(home, `setup-${flavour}.lock`);
  const started = Date.now();
  let waited = false;

  while (!tryLock(lockDir)) {
    if (!waited) log(`another ser-native process is installing LibTorch into ${target}; waiting for it`);
    waited = true;
    sleepMs(500);
  }
  try {
    if (fs.existsSync(complete)) {
      const d = libtorch.describe(path.join(target, 'torch'), 'cache');
      return { target, version: d && d.version, bytes: null, seconds: (Date.now() - started) / 1000, installed: false, waitedForOther: waited };
    }
    const python = process.env.PYTHON || 'python3';
    const probe = spawnSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) throw new SetupError(noPythonMessage(), 'ERR_NO_PYTHON');

    const requirement = libtorch.PINNED_WHEEL[flavour];
    const staging = `${target}.partial-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    const extra = (options.pipArgs !== undefined ? options.pipArgs : process.env.SER_NATIVE_PIP_ARGS || '').split(/\s+/).filter(Boolean);
    const args = ['-m', 'pip', 'install', '--no-deps', '--disable-pip-version-check', '--no-input', '--target', staging, requirement, ...extra];
    log(`installing LibTorch ${requirement} (about 750 MB on disk for the CPU build) into ${target}`);
    log(`  ${python} ${args.join(' ')}`);
    const r = spawnSync(python, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) {
      fs.rmSync(staging, { recursive: true, force: true });
      const tail = `${r.stdout || ''}${r.stderr || ''}`.trim().split('\n').slice(-12).join('\n');
      throw new SetupError(
        `pip could not install ${requirement} into ${target}:\n${tail}\n` +
          'Set SER_NATIVE_PIP_ARGS for another index or a proxy (e.g. "--index-url https://download.pytorch.org/whl/cpu"), ' +
          'or point LIBTORCH at an unpacked LibTorch archive.',
        'ERR_SETUP_PIP',
      );
    }
    const d = libtorch.describe(path.join(staging, 'torch'), 'cache');
    if (!d || d.version !== libtorch.PINNED_VERSION) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw new SetupError(`pip installed ${requirement} but ${staging}/torch is not a LibTorch ${libtorch.PINNED_VERSION} (found ${d ? d.version : 'nothing'})`, 'ERR_SETUP_VERIFY');
    }
    const bytes = folderSize(staging);
    fs.writeFileSync(path.join(staging, 'COMPLETE'), JSON.stringify({ requirement, version: d.version, bytes, at: new Date().toISOString() }) + '\n');
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    const seconds = (Date.now() - started) / 1000;
    log(`LibTorch ${d.version} installed in ${target} (${(bytes / 1e6).toFixed(0)} MB, ${seconds.toFixed(1)} s)`);
    return { target, version: d.version, bytes, seconds, installed: true, waitedForOther: waited };
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

module.exports = { setup, SetupError, folderSize };
