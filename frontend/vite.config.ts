import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

// The SPA is embedded in the Go binary (embed.go) and served at / by the
// gateway and by the desktop window; assets live under /assets/ with hashed
// names, so the Go handler can cache them for a long time.
// `npm run dev` proxies the API to a gateway on MODELSWITCH_URL (default :8000).
const gateway = process.env.MODELSWITCH_URL ?? 'http://127.0.0.1:8000'

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    {
      // dist/ is emptied on every build; dist/.gitkeep is committed so that
      // `go build` (//go:embed all:dist) works on a fresh clone without Node.
      name: 'keep-gitkeep',
      apply: 'build',
      closeBundle() {
        writeFileSync(fileURLToPath(new URL('./dist/.gitkeep', import.meta.url)), '')
      },
    },
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 900,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': { target: gateway, changeOrigin: true },
      '/v1': { target: gateway, changeOrigin: true },
    },
  },
})
