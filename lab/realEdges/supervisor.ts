// Runs a real edge program as a child in its own process group and stops the
// whole group (SIGTERM, then SIGKILL after a bound) — also when edgecheck itself
// exits, is interrupted or crashes — so no daemon outlives the run. Where no
// hook can run (SIGKILL, an abort), a watchdog shell beside each group ends it.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { livingMembers } from './processGroup.js';

export interface SupervisedOptions {
  /** a short name for messages, e.g. "nginx" */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** where the child's stdout and stderr go */
  logFile: string;
  /** the program's own error logs, shown beside its output when it fails */
  errorLogs?: string[];
}

export interface Supervised {
  readonly name: string;
  readonly pid: number;
  /** set once the child has exited: the code or the signal */
  readonly exit: string | undefined;
  readonly exited: Promise<void>;
  /** the last lines of the child's output, for error messages */
  outputTail(lines?: number): string;
  stop(graceMs?: number): Promise<void>;
}

const STOP_GRACE_MS = 5_000;
const live = new Set<number>();
/** the watchdog of each live group, by group */
const watchdogs = new Map<number, ChildProcess>();

/**
 * Polls edgecheck's pid once a second; once it is gone without having ended
 * the group (killed outright), ends the group: TERM, then KILL.
 */
const WATCHDOG = [
  'while kill -0 "$1" 2>/dev/null; do sleep 1; done;',
  'kill -TERM -"$2" 2>/dev/null; sleep 3; kill -KILL -"$2" 2>/dev/null',
].join(' ');

export function supervise(opts: SupervisedOptions): Supervised {
  const out = openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    // detached: a new process group, so one kill(-pid) reaches every worker the program forks
    child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', out, out],
    });
  } finally {
    closeSync(out);
  }
  const pid = child.pid;
  if (pid === undefined) {
    // the spawn failure arrives as an 'error' event: with no listener it would end edgecheck
    child.once('error', () => undefined);
    throw new Error(`${opts.name}: could not start ${opts.command}`);
  }
  live.add(pid);
  installExitHooks();
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'edgecheck-watchdog', String(process.pid), String(pid)], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.once('error', () => undefined);
  watchdog.unref();
  watchdogs.set(pid, watchdog);
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    const done = (text: string) => {
      exit ??= text;
      resolve();
    };
    child.once('exit', (code, signal) => done(signal ? `killed by ${signal}` : `exited with code ${code}`));
    child.once('error', (err) => done(`failed to start: ${err.message}`));
  });
  const stop = async (graceMs = STOP_GRACE_MS): Promise<void> => {
    signalGroup(pid, 'SIGTERM');
    // the leader may exit before workers that are still finishing, or that ignore SIGTERM
    const deadline = Date.now() + graceMs;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    while (livingMembers(pid).length > 0 && Date.now() < deadline) await delay(50);
    signalGroup(pid, 'SIGKILL');
    await exited;
    live.delete(pid);
    dismissWatchdog(pid);
  };
  return {
    name: opts.name,
    pid,
    get exit() {
      return exit;
    },
    exited,
    outputTail: (lines = 20) =>
      [opts.logFile, ...(opts.errorLogs ?? [])]
        .map((file) => tailOf(file, lines))
        .filter(Boolean)
        .join('\n'),
    stop,
  };
}

/** The last lines of a log file, or '' when there is none yet. */
export function tailOf(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

function dismissWatchdog(group: number): void {
  // its own group: the sleep it is waiting in goes too
  const pid = watchdogs.get(group)?.pid;
  if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  watchdogs.delete(group);
}

let hooksInstalled = false;

/** How long another signal listener (the CLI) gets to stop the lab and exit before edgecheck exits anyway. */
const SIGNAL_EXIT_FALLBACK_MS = 10_000;

/**
 * The safety net behind close(): on exit every live group is killed at once.
 * On SIGINT, SIGTERM, SIGHUP or SIGQUIT the groups are asked to stop, and edgecheck exits as the
 * signal asks: at once when no one else listens for it, else after a bound if
 * the other listener (the CLI stopping the lab itself) has not exited by then.
 */
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const pid of live) {
      signalGroup(pid, 'SIGKILL');
      // the group is gone: its watchdog must not kill a later process that reuses the number
      dismissWatchdog(pid);
    }
  });
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGQUIT', 131],
  ] as const) {
    process.on(signal, () => {
      for (const pid of live) signalGroup(pid, 'SIGTERM');
      if (process.listenerCount(signal) === 1) process.exit(code);
      setTimeout(() => process.exit(code), SIGNAL_EXIT_FALLBACK_MS).unref();
    });
  }
}
