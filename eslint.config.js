import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// Database, broker, cache, MQTT and mail drivers: only their platform/ adapters import them.
const DRIVERS = ['better-sqlite3', 'pg', 'mysql2', 'amqplib', 'ioredis', 'aedes', 'mqtt', 'nodemailer']

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'dist/', 'src/generated/', 'web/dist/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['describe', 'test', 'it', 'suite'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/domains/**/*.ts'],
    ignores: [
      'src/domains/**/*.http.ts',
      'src/domains/**/*.grpc.ts',
      'src/domains/**/*.socket.ts',
      'src/domains/**/*.test.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['fastify', '@grpc/grpc-js', 'socket.io', ...DRIVERS].map((name) => ({
            name,
            message: 'Domain code uses ports; only platform adapters and transports import drivers and frameworks.',
          })),
        },
      ],
    },
  },
  {
    // The platform is the bottom layer: ports and adapters know nothing of the domains above them.
    files: ['src/platform/**/*.ts'],
    ignores: ['src/platform/**/*.test.ts', 'src/platform/**/*.fixture.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/domains/**', '**/compat/**', '**/app.js', '**/module.js'],
              message: 'platform/ never imports a domain, an adapter or the composition root.',
            },
          ],
        },
      ],
    },
  },
  {
    // The configuration is read before any domain exists; domains read their slice of it.
    files: ['src/config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/domains/**', '**/compat/**', '**/platform/**'],
              message: 'config.ts imports no domain, adapter or platform code.',
            },
          ],
        },
      ],
    },
  },
  {
    // Seed adapters map wire formats onto domain services; drivers, SQL and the ML runtime's engine stay below them.
    files: ['src/compat/**/*.ts'],
    ignores: ['src/compat/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...DRIVERS, 'kysely'].map((name) => ({
            name,
            message: 'Compat adapters reach domain services; only platform adapters import drivers.',
          })),
          patterns: [
            {
              group: ['**/domains/**/*.repository.js'],
              message: 'Compat adapters reach domain services, never their repositories.',
            },
            {
              group: ['@tensorflow/*'],
              message: 'Compat adapters reach domain services; TensorFlow.js stays in platform/ml-runtime.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  { files: ['bin/**/*.js', 'examples/**/*.mjs', 'eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['bin/**/*.js', 'examples/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
)
