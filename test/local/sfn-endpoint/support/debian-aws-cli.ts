import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** A CI machine without a Debian mirror should skip in seconds, not wait out apt's retries. */
const APT_QUICK_FAIL = ['-o', 'Acquire::Retries=0', '-o', 'Acquire::http::Timeout=15', '-o', 'Acquire::https::Timeout=15'];

const run = promisify(execFile);

/** Where Debian's awscli package puts the CLI (a pip or pyenv `aws` earlier on PATH is another program). */
export const DEBIAN_AWS = '/usr/bin/aws';

async function debianPackageInstalled(): Promise<boolean> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', 'awscli']);
    return stdout.includes('install ok installed') && existsSync(DEBIAN_AWS);
  } catch {
    return false;
  }
}

/**
 * The AWS CLI from Debian's awscli package: found, or installed with apt-get when this runs as
 * root on Debian (the test setup's install step). Otherwise the reason it is not there, for the
 * test to print as it skips. ARAZZO_SFN_NO_APT=1 forbids the install.
 */
export async function debianAwsCli(): Promise<{ path: string; version: string } | { skip: string }> {
  if (!(await debianPackageInstalled())) {
    if (process.env.ARAZZO_SFN_NO_APT === '1') return { skip: "Debian's awscli package is not installed and ARAZZO_SFN_NO_APT=1 forbids installing it" };
    if (process.getuid?.() !== 0) return { skip: "Debian's awscli package is not installed, and installing it needs root (apt-get install awscli)" };
    if (!existsSync('/usr/bin/apt-get')) return { skip: 'no apt-get on this machine: the AWS CLI test needs Debian\'s awscli package' };
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => run('apt-get', [...APT_QUICK_FAIL, 'install', '-y', '--no-install-recommends', 'awscli'], { env, timeout: 300_000, maxBuffer: 16 << 20 });
    try {
      await install();
    } catch {
      // A fresh machine has no package lists yet.
      try {
        await run('apt-get', [...APT_QUICK_FAIL, 'update'], { env, timeout: 300_000, maxBuffer: 16 << 20 });
        await install();
      } catch (err) {
        return { skip: `apt-get install awscli failed: ${((err as { stderr?: string }).stderr || (err as Error).message).trim().split('\n').slice(-2).join(' ')}` };
      }
    }
    if (!(await debianPackageInstalled())) return { skip: 'apt-get reported success but the awscli package is not installed' };
  }
  const { stdout } = await run(DEBIAN_AWS, ['--version']);
  return { path: DEBIAN_AWS, version: stdout.trim() };
}

/**
 * `aws stepfunctions <args> --endpoint-url <endpoint>` with made-up credentials and no user
 * configuration (HOME is `home`); the JSON it prints, parsed.
 */
export function awsStepFunctions(cli: { path: string }, target: { url: string; region: string }, home: string): (args: string[]) => Promise<any> {
  return async (args) => {
    const { stdout } = await run(cli.path, ['stepfunctions', ...args, '--endpoint-url', target.url, '--output', 'json'], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
        AWS_ACCESS_KEY_ID: 'AKIDLOCALENDPOINT',
        AWS_SECRET_ACCESS_KEY: 'local-endpoint-secret',
        AWS_DEFAULT_REGION: target.region,
        AWS_PAGER: '',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      timeout: 60_000,
    });
    return stdout.trim() ? JSON.parse(stdout) : undefined;
  };
}
