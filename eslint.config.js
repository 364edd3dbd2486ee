// @ts-check
// Lint: ESLint's and typescript-eslint's recommended rules, without type information (type-aware
// linting costs minutes on two cores; `npm run typecheck` already runs tsc over the same files).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', 'coverage/', 'test-artifacts/', '.arazzo-sfn/', 'scratch/', '**/cdk.out/', '**/node_modules/', 'examples/cdk-app/jest.config.js'] }, // jest.config.js: CommonJS, as `cdk init` writes it
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // The code reads untyped JSON at its edges (OpenAPI documents, ASL definitions, engine events,
      // HTTP bodies in tests) and types it `any` there on purpose; tsc's strict mode covers the rest.
      '@typescript-eslint/no-explicit-any': 'off',
      // Omitting a key by destructuring (`const { secret: _s, ...rest } = o`) and unused
      // callback parameters are spelled with a leading underscore.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // The escaping helpers (XML, SVG/HTML, terminal output) match control characters on purpose.
      'no-control-regex': 'off',
    },
  },
);
