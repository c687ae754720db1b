// Dev loop without a build: ava runs the TypeScript tests through tsx (needs child processes).
export default {
  files: ['test/**/*.test.ts'], extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'], workerThreads: false, timeout: '120s', concurrency: 2,
};
