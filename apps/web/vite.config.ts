import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The control plane serves the build at /bridge (Keptn's path for its UI); `npm run build` writes dist/.
export default defineConfig({
  base: '/bridge/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, reportCompressedSize: false },
  // `npm run dev`: the API calls go to a control plane on :8080 (start one with `npm start`).
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
