import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The built files go to ui/dist; the Python server serves them at "/" with an
// index.html fallback. In development (`npm run dev`) the API and its WebSocket
// are proxied to a server started with `make run`.
const API_TARGET = process.env.LIVEDESK_DEV_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: {
      "/api": { target: API_TARGET, ws: true, changeOrigin: false },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
