/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  server: {
    // `npm run dev` next to `make run`: the API stays on its own port (DINHDANH_API to change it).
    proxy: { '/api': process.env.DINHDANH_API ?? 'http://127.0.0.1:8080' },
  },
  build: {
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // antd's first render in jsdom is slow on a busy 2-core machine.
    testTimeout: 30_000,
  },
});
