// The linter: typescript-eslint's recommended rules, lines of at most 120
// characters, and the layers of docs/architecture.md as import boundaries.
import tseslint from 'typescript-eslint';

/** An import of one of these top-level folders, from anywhere below the root. */
const folders = (...names) => `^(\\.\\./)+(${names.join('|')})/`;
const boundary = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ regex: folders(...forbidden), message: why }] }],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'edgecheck-results/**', 'coverage/**', '.tap/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  boundary(
    ['harness/**'],
    ['cli', 'lab', 'load', 'reports', 'import', 'twin', 'bench', 'scripts'],
    'harness/ is the bottom layer: it imports nothing outside harness/ (docs/architecture.md "Layers")',
  ),
  boundary(
    ['load/**'],
    ['cli', 'lab', 'reports', 'import', 'twin', 'bench', 'scripts'],
    'load/ imports only harness/ (docs/architecture.md "Layers")',
  ),
  boundary(
    ['reports/**'],
    ['cli', 'lab', 'load', 'import', 'twin', 'bench', 'scripts'],
    'reports/ imports only harness/ (docs/architecture.md "Layers")',
  ),
  boundary(
    ['lab/**'],
    ['cli', 'load', 'reports', 'import', 'twin', 'bench', 'scripts'],
    'lab/ imports only harness/, for the interfaces it implements (docs/architecture.md "Layers")',
  ),
  boundary(
    ['import/**'],
    ['cli', 'lab', 'load', 'reports', 'twin', 'bench', 'scripts'],
    'import/ imports only harness/ (docs/architecture.md "Layers")',
  ),
  boundary(
    ['twin/**'],
    ['cli', 'lab', 'load', 'reports', 'bench', 'scripts'],
    'twin/ imports only harness/ and import/ (docs/architecture.md "Layers")',
  ),
  {
    // the twin's CDK app is copied into the user's folder on its own: nothing of ours outside app/ goes with it
    files: ['twin/cloudfront/app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./\\.\\./',
              message:
                'the twin app is copied on its own: it imports only aws-cdk-lib, constructs, node: and app/ ' +
                '(docs/architecture.md "Layers")',
            },
          ],
        },
      ],
    },
  },
);
