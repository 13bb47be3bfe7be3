// The twin's CDK app on disk: the app's code, the same for every distribution
// (copied from app/, which this package compiles and lints like its own), and
// twin.json, the one file that differs. Files the app does not own
// (node_modules, cdk.out, an outputs file) are left alone, so re-running
// `edgecheck twin` in the same folder updates it in place.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TwinData } from './app/lib/twinData.js';

/** the app's code, relative to app/ in this package and to the written folder alike */
export const TWIN_APP_SOURCES = ['bin/twin.ts', 'lib/stagingTwinStack.ts', 'lib/twinData.ts'];

/** The packages the app needs, with the versions this package is built and tested with. */
export interface TwinAppVersions {
  'aws-cdk-lib': string;
  constructs: string;
  'aws-cdk': string;
  typescript: string;
  '@types/node': string;
}

export interface TwinAppOptions {
  out: string;
  /** this package's twin/cloudfront/app folder (the TypeScript sources) */
  appSources: string;
  versions: TwinAppVersions;
  data: TwinData;
}

/** Writes the app; returns the files written, relative to `out`. */
export function writeTwinApp(opts: TwinAppOptions): string[] {
  const { out, versions } = opts;
  const written: string[] = [];
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file), text);
    written.push(file);
  };
  const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';
  for (const file of TWIN_APP_SOURCES) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    copyFileSync(join(opts.appSources, file), join(out, file));
    written.push(file);
  }
  write('twin.json', json(opts.data));
  write(
    'package.json',
    json({
      name: 'edgecheck-staging-twin',
      private: true,
      type: 'module',
      description: `edgecheck staging twin of ${opts.data.source}`,
      scripts: { build: 'tsc', synth: 'cdk synth', deploy: 'cdk deploy --outputs-file outputs.json' },
      dependencies: { 'aws-cdk-lib': versions['aws-cdk-lib'], constructs: versions.constructs },
      devDependencies: {
        'aws-cdk': versions['aws-cdk'],
        typescript: versions.typescript,
        '@types/node': versions['@types/node'],
      },
    }),
  );
  // the cdk CLI runs `build` before each synth, so the app it runs is always the compiled twin.ts
  write('cdk.json', json({ app: 'node dist/bin/twin.js', build: 'npx tsc' }));
  write(
    'tsconfig.json',
    json({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: true,
        outDir: 'dist',
        rootDir: '.',
        types: ['node'],
      },
      include: ['bin/**/*.ts', 'lib/**/*.ts'],
    }),
  );
  write('.gitignore', ['node_modules/', 'dist/', 'cdk.out/', ''].join('\n'));
  return written;
}
