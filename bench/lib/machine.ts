import { spawnSync } from 'node:child_process';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly ramGiB: number;
  readonly os: string;
  readonly node: string;
  readonly date: string;
  /** 1-minute load average when the run started: above the core count, other work shared the CPUs. */
  readonly load: number;
  /** Commit measured, with `+dirty` when the work tree had changes: numbers only compare across the same code. */
  readonly commit?: string;
}

function gitCommit(cwd: string): string | undefined {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return undefined;
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
  return head.stdout.trim() + (dirty.status === 0 && dirty.stdout.trim() ? '+dirty' : '');
}

export function describeMachine(root: string): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown CPU',
    cores: list.length,
    ramGiB: totalmem() / 1024 ** 3,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    load: loadavg()[0],
    commit: gitCommit(root),
  };
}

export const formatMachine = (m: Machine) =>
  `${m.cpu}, ${m.cores} cores, ${m.ramGiB.toFixed(1)} GiB RAM, load ${m.load.toFixed(1)} at start · ${m.os} · Node ${m.node} · ${m.date}${m.commit ? ` · commit ${m.commit}` : ''}`;
